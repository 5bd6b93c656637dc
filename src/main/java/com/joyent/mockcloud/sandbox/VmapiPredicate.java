package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * VMAPI's {@code predicate} language (sdc-vmapi lib/common/predicate.js): {@code and} / {@code or}
 * over a list of at least two predicates, and {@code eq ne lt le gt ge} over a
 * {@code [field, constant]} pair, evaluated on the stored VM as VMAPI's moray does
 * ({@link VmapiFieldValues}).
 *
 * <p>Validation answers VMAPI's messages ({@code Predicate syntax error: Error: …}). One
 * difference on purpose: VMAPI 9.14 turns {@code lt} and {@code gt} into an LDAP filter moray
 * refuses (a 500); the sandbox evaluates them as strict comparisons (docs/sandbox.md).
 */
final class VmapiPredicate {
  private static final Set<String> COMPARISONS = Set.of("eq", "ne", "lt", "le", "gt", "ge");
  private static final Set<String> LOGICAL = Set.of("and", "or");

  private final String op;
  private final String field;
  private final Object constant;
  private final List<VmapiPredicate> operands;

  private VmapiPredicate(String op, String field, Object constant, List<VmapiPredicate> operands) {
    this.op = op;
    this.field = field;
    this.constant = constant;
    this.operands = operands;
  }

  /** A syntax error, in the words VMAPI's validator adds after "Predicate syntax error: Error: ". */
  static final class SyntaxError extends Exception {
    SyntaxError(String message) {
      super(message);
    }
  }

  /** Parses an already JSON-decoded predicate; throws with VMAPI's message when it is not one. */
  @SuppressWarnings("unchecked")
  static VmapiPredicate parse(Object p) throws SyntaxError {
    if (!(p instanceof Map<?, ?> m)) {
      throw new SyntaxError("predicate must be an object");
    }
    if (m.isEmpty()) {
      throw new SyntaxError("predicate is missing a key");
    }
    if (m.size() > 1) {
      throw new SyntaxError("found too many keys: " + m.size() + ". expected one");
    }
    String key = String.valueOf(m.keySet().iterator().next());
    Object value = m.get(key);
    if (LOGICAL.contains(key)) {
      if (!(value instanceof List<?> list)) {
        throw new SyntaxError("logical expr key does not point to an array");
      }
      if (list.size() < 2) {
        throw new SyntaxError("logical expr key \"" + key + "\" does not contain enough elements: found "
            + list.size() + ", expected at least two");
      }
      List<VmapiPredicate> operands = new ArrayList<>();
      for (Object o : list) {
        operands.add(parse(o));
      }
      return new VmapiPredicate(key, null, null, List.copyOf(operands));
    }
    if (!COMPARISONS.contains(key)) {
      throw new SyntaxError("invalid key: " + key);
    }
    if (!(value instanceof List<?> pair)) {
      throw new SyntaxError("predicate key does not point to an array");
    }
    if (pair.size() != 2) {
      throw new SyntaxError("predicate key does not point to an array of two elements: found " + pair.size()
          + " elements");
    }
    if (!(pair.get(0) instanceof String f)) {
      throw new SyntaxError("predicate field is not a string: got " + Json.compact(pair.get(0)) + ".");
    }
    Object c = pair.get(1);
    if (!(c instanceof String || c instanceof Number || c instanceof Boolean)) {
      throw new SyntaxError("predicate constant is not a constant: got " + Json.compact(c) + ".");
    }
    return new VmapiPredicate(key, f, c, List.of());
  }

  /** Whether the stored VM matches. */
  boolean test(Map<String, Object> vm) {
    return switch (op) {
      case "and" -> operands.stream().allMatch(p -> p.test(vm));
      case "or" -> operands.stream().anyMatch(p -> p.test(vm));
      case "ne" -> !equalsConstant(vm);
      case "eq" -> equalsConstant(vm);
      default -> compares(vm);
    };
  }

  private boolean equalsConstant(Map<String, Object> vm) {
    String c = VmapiFieldValues.jsString(constant);
    // On tag and internal_metadata fields VMAPI ignores the operator (ne still negates).
    if (field.startsWith("tag.")) {
      return VmapiFieldValues.tagMatches(vm, field.substring(4), c);
    }
    if (field.startsWith("internal_metadata.")) {
      return VmapiFieldValues.internalMetadataMatches(vm, field.substring("internal_metadata.".length()), c);
    }
    return VmapiFieldValues.equalsValue(VmapiFieldValues.value(vm, field), c);
  }

  private boolean compares(Map<String, Object> vm) {
    if (field.startsWith("tag.") || field.startsWith("internal_metadata.")) {
      return equalsConstant(vm);
    }
    Integer cmp = VmapiFieldValues.compare(VmapiFieldValues.value(vm, field), VmapiFieldValues.jsString(constant));
    if (cmp == null) {
      return false;
    }
    return switch (op) {
      case "lt" -> cmp < 0;
      case "le" -> cmp <= 0;
      case "gt" -> cmp > 0;
      default -> cmp >= 0;
    };
  }
}
