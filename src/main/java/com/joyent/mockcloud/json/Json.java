package com.joyent.mockcloud.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.function.Function;

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
  /** One value in the middle of a document: what follows it is the document's, not trailing. */
  private static final ObjectReader VALUE_IN_DOCUMENT =
      MAPPER.readerFor(Object.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  private static ObjectMapper newMapper() {
    // No shared field-name table: keys such as VM and MAC ids keep arriving new, and each new
    // name made every parser copy the whole table (copy-on-write), gigabytes a minute at scale.
    ObjectMapper m = new ObjectMapper(JsonFactory.builder()
        .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build());
    m.getFactory().setCharacterEscapes(new JsCharacterEscapes());
    m.configure(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, false);
    m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    // JSON.parse rejects anything after the value; so do we (V8JsonErrors words it).
    m.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
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

  /**
   * Parses a JSON object, keeping key order. Throws {@link JsonFormatException} for anything
   * else, with {@code JSON.parse}'s words for text that is not JSON ({@link V8JsonErrors}).
   */
  public static LinkedHashMap<String, Object> parseObject(byte[] bytes) {
    LinkedHashMap<String, Object> m;
    try {
      // One pass straight into maps (a tree first and a conversion after cost twice as much,
      // and VM files are decoded on every read).
      m = MAPPER.readValue(bytes, MAP_TYPE);
    } catch (IOException e) {
      return rejected(bytes, e, Json::parseObject);
    }
    if (m == null) {
      throw new JsonFormatException("expected a JSON object, got null");
    }
    return m;
  }

  /**
   * Parses a JSON object but keeps only the top-level {@code keys} (in document order; a repeated
   * key: the last wins, as in {@link #parseObject}); every other value is skipped unparsed.
   */
  public static LinkedHashMap<String, Object> parseObjectKeys(byte[] bytes, Set<String> keys) {
    try (JsonParser p = MAPPER.getFactory().createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw notAnObject(bytes);
      }
      LinkedHashMap<String, Object> out = new LinkedHashMap<>();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        p.nextToken();
        if (keys.contains(name)) {
          out.put(name, VALUE_IN_DOCUMENT.readValue(p));
        } else {
          p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw notAnObject(bytes); // more after the object: JSON.parse rejects it
      }
      return out;
    } catch (IOException e) {
      return rejected(bytes, e, b -> parseObjectKeys(b, keys));
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
      return rejected(bytes, e, Json::parse);
    }
  }

  /**
   * Jackson rejected {@code bytes}: throws what {@code JSON.parse} would say of the same text,
   * as Node reads it (UTF-8, a bad sequence decoded to U+FFFD). Where Node reads the text after
   * all, so do we: a bad UTF-8 sequence inside a string is decoded as Node decodes it and the
   * parse retried once. What Node reads and Jackson still will not is beyond Jackson's limits.
   */
  private static <T> T rejected(byte[] bytes, IOException e, Function<byte[], T> retry) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String v8 = V8JsonErrors.describe(text);
    if (v8 != null) {
      throw new JsonFormatException(v8);
    }
    byte[] asNodeReadsIt = text.getBytes(StandardCharsets.UTF_8);
    if (!Arrays.equals(asNodeReadsIt, bytes)) {
      return retry.apply(asNodeReadsIt);
    }
    if (e instanceof MismatchedInputException) {
      throw notAnObject(bytes); // valid JSON of another type where an object was wanted
    }
    StreamReadConstraints limits = StreamReadConstraints.defaults();
    throw new JsonFormatException("JSON beyond this reader's limits (nesting depth " + limits.getMaxNestingDepth()
        + ", numbers of " + limits.getMaxNumberLength() + " digits, strings of " + limits.getMaxStringLength()
        + " characters)");
  }

  /** Valid JSON (or not: then V8's message) that is not the object wanted. */
  private static JsonFormatException notAnObject(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String v8 = V8JsonErrors.describe(text);
    if (v8 != null) {
      return new JsonFormatException(v8);
    }
    String value = text.strip();
    String got = value.startsWith("[") ? "an array" : value.startsWith("\"") ? "a string"
        : value.equals("null") ? "null" : value.equals("true") || value.equals("false") ? "a boolean" : "a number";
    return new JsonFormatException("expected a JSON object, got " + got);
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

  /**
   * A JSON value that could not be parsed, or not the kind wanted. The message is the one
   * {@code JSON.parse} gives for the same text, so it can be shown as the Node agents show it.
   */
  public static final class JsonFormatException extends RuntimeException {
    public JsonFormatException(String message) {
      super(message);
    }
  }
}
