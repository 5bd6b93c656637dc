package com.joyent.mockcloud.configagent;

import com.joyent.mockcloud.json.Json;
import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a SAPI manifest's template as config-agent does with Joyent's hogan.js fork:
 * mustache sections as usual, a missing value as nothing, and values turned into text as
 * JavaScript would (an object as its JSON, an array joined with commas, 1.0 as {@code 1}),
 * HTML-escaped in {@code {{x}}} ({@code & < > " '}) and raw in {@code {{{x}}}}.
 */
final class TemplateRenderer {
  private static final Mustache.Compiler COMPILER = Mustache.compiler()
      .defaultValue("")
      .withEscaper(Escapers.simple(new String[][] {
          {"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}}))
      .withFormatter(TemplateRenderer::jsString);

  private TemplateRenderer() {}

  /** The rendered text, or a {@link RenderException} saying what in the template is wrong. */
  static String render(String template, Map<String, Object> view) throws RenderException {
    try {
      return COMPILER.compile(template).execute(view);
    } catch (MustacheException | IllegalArgumentException e) {
      throw new RenderException(e.getMessage());
    }
  }

  /** {@code String(value)} in JavaScript, but a plain object as its JSON (the hogan fork's choice). */
  static String jsString(Object value) {
    if (value instanceof Map<?, ?>) {
      return Json.compact(value);
    }
    if (value instanceof List<?> l) {
      return l.stream().map(v -> v == null ? "" : jsString(v)).collect(Collectors.joining(","));
    }
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      BigDecimal d = new BigDecimal(value.toString()).stripTrailingZeros();
      return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }
    return String.valueOf(value);
  }

  /** A template that cannot be rendered (unclosed section, bad tag). */
  static final class RenderException extends Exception {
    RenderException(String message) {
      super(message);
    }
  }
}
