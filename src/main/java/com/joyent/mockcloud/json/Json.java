package com.joyent.mockcloud.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Set;

/**
 * The one JSON codec of the process. Output is byte-compatible with JavaScript's
 * {@code JSON.stringify} (spec cn-agent.md §2.9): insertion order kept, integral
 * doubles printed without ".0", JS exponent thresholds, lowercase "\\u00xx"
 * escapes, and the {@code JSON.stringify(x, null, N)} pretty layout.
 *
 * <p>Objects are read into {@link LinkedHashMap}s so key order survives a round trip.
 * Thread-safe: the mapper and writers are immutable once built.
 */
public final class Json {
  public static final ObjectMapper MAPPER = newMapper();
  private static final ObjectWriter COMPACT = MAPPER.writer();
  private static final ObjectWriter PRETTY2 = MAPPER.writer(prettyPrinter(2));
  private static final ObjectWriter PRETTY4 = MAPPER.writer(prettyPrinter(4));
  private static final TypeReference<LinkedHashMap<String, Object>> MAP_TYPE = new TypeReference<>() {};

  private Json() {}

  private static ObjectMapper newMapper() {
    // No shared field-name table: keys such as VM and MAC ids keep arriving new, and each new
    // name made every parser copy the whole table (copy-on-write), gigabytes a minute at scale.
    ObjectMapper m = new ObjectMapper(JsonFactory.builder()
        .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build());
    m.getFactory().setCharacterEscapes(new JsCharacterEscapes());
    m.configure(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, false);
    m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    SimpleModule js = new SimpleModule("js-numbers");
    js.addSerializer(Double.class, new JsNumberSerializer());
    js.addSerializer(double.class, new JsNumberSerializer());
    js.addSerializer(Float.class, new JsNumberSerializer.FloatSerializer());
    m.registerModule(js);
    return m;
  }

  private static DefaultPrettyPrinter prettyPrinter(int spaces) {
    DefaultIndenter indenter = new DefaultIndenter(" ".repeat(spaces), "\n");
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator("");
    return new DefaultPrettyPrinter(separators)
        .withObjectIndenter(indenter)
        .withArrayIndenter(indenter);
  }

  /** Compact form, as HTTP bodies: {@code {"a":1,"b":[1,2]}}. */
  public static String compact(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static byte[] compactBytes(Object value) {
    return compact(value).getBytes(StandardCharsets.UTF_8);
  }

  /** {@code JSON.stringify(value, null, spaces) + "\n"}, as files are written. */
  public static byte[] prettyBytes(Object value, int spaces) {
    ObjectWriter w = switch (spaces) {
      case 2 -> PRETTY2;
      case 4 -> PRETTY4;
      default -> MAPPER.writer(prettyPrinter(spaces));
    };
    try {
      return (w.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses a JSON object, keeping key order. Throws {@link JsonFormatException} for anything else. */
  public static LinkedHashMap<String, Object> parseObject(byte[] bytes) {
    try {
      // One pass straight into maps (a tree first and a conversion after cost twice as much,
      // and VM files are decoded on every read).
      LinkedHashMap<String, Object> m = MAPPER.readValue(bytes, MAP_TYPE);
      if (m == null) {
        throw new JsonFormatException("expected a JSON object");
      }
      return m;
    } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
      throw new JsonFormatException("expected a JSON object: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new JsonFormatException(e.getMessage());
    }
  }

  /**
   * Parses a JSON object but keeps only the top-level {@code keys} (in document order; a repeated
   * key: the last wins, as in {@link #parseObject}); every other value is skipped unparsed.
   */
  public static LinkedHashMap<String, Object> parseObjectKeys(byte[] bytes, Set<String> keys) {
    try (JsonParser p = MAPPER.getFactory().createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new JsonFormatException("expected a JSON object");
      }
      LinkedHashMap<String, Object> out = new LinkedHashMap<>();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        p.nextToken();
        if (keys.contains(name)) {
          out.put(name, MAPPER.readValue(p, Object.class));
        } else {
          p.skipChildren();
        }
      }
      return out;
    } catch (IOException e) {
      throw new JsonFormatException(e.getMessage());
    }
  }

  public static LinkedHashMap<String, Object> parseObject(String text) {
    return parseObject(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses any JSON value (object → LinkedHashMap, array → List, numbers → Integer/Long/Double). */
  public static Object parse(byte[] bytes) {
    try {
      return MAPPER.readValue(bytes, Object.class);
    } catch (IOException e) {
      throw new JsonFormatException(e.getMessage());
    }
  }

  /** Deep copy through the tree model, preserving order; for values made of maps, lists and scalars. */
  @SuppressWarnings("unchecked")
  public static <T> T deepCopy(T value) {
    if (value == null) {
      return null;
    }
    return (T) MAPPER.convertValue(value, Object.class);
  }

  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** A JSON value that could not be parsed; message is the parser's. */
  public static final class JsonFormatException extends RuntimeException {
    public JsonFormatException(String message) {
      super(message);
    }
  }
}
