package com.joyent.mockcloud.json;

/**
 * What {@code JSON.parse} says about text it cannot read, as the V8 of Node 20 (11.3) words
 * it: the Node cn-agent, CNAPI and the other restify services answer a bad body with
 * {@code "Invalid JSON: " + e.message}, and Triton tools print the same message for a
 * corrupt file. Jackson's own texts ("Unexpected end-of-input ... [Source: ...]") mean
 * nothing to a Triton engineer.
 *
 * <p>The scan follows V8's JSON parser step by step, so the first error found and its
 * position (in UTF-16 units) are V8's: values are produced and consumed with an explicit
 * stack (no recursion, so any nesting depth is fine), whitespace is space, tab, CR and LF,
 * and each check uses the message V8 attaches to it. Stateless and thread-safe.
 */
public final class V8JsonErrors {
  /** V8's {@code kMaxContextCharacters}: how much source an "Unexpected token" message quotes either side. */
  private static final int CONTEXT = 10;
  /** Sources shorter than this are quoted whole. */
  private static final int MIN_LENGTH_FOR_CONTEXT = CONTEXT * 2 + 1;

  private static final String EXPECTED_PROPERTY_NAME_OR_RBRACE = "Expected property name or '}' in JSON";
  private static final String EXPECTED_DOUBLE_QUOTED_PROPERTY_NAME = "Expected double-quoted property name in JSON";
  private static final String EXPECTED_COLON = "Expected ':' after property name in JSON";
  private static final String EXPECTED_COMMA_OR_RBRACE = "Expected ',' or '}' after property value in JSON";
  private static final String EXPECTED_COMMA_OR_RBRACK = "Expected ',' or ']' after array element in JSON";
  private static final String NON_WHITESPACE_AFTER = "Unexpected non-whitespace character after JSON";
  private static final String UNTERMINATED_STRING = "Unterminated string in JSON";
  private static final String BAD_CONTROL_CHARACTER = "Bad control character in string literal in JSON";
  private static final String BAD_ESCAPED_CHARACTER = "Bad escaped character in JSON";
  private static final String BAD_UNICODE_ESCAPE = "Bad Unicode escape in JSON";
  private static final String NO_NUMBER_AFTER_MINUS = "No number after minus sign in JSON";
  private static final String UNTERMINATED_FRACTION = "Unterminated fractional number in JSON";
  private static final String EXPONENT_MISSING_NUMBER = "Exponent part is missing a number in JSON";

  /** The token a character starts (V8's {@code one_char_json_tokens}); EOS past the end. */
  private enum Token { STRING, NUMBER, LBRACE, RBRACE, LBRACK, RBRACK, TRUE, FALSE, NULL, COLON, COMMA,
    WHITESPACE, ILLEGAL, EOS }

  private static final char OBJECT = '{';
  private static final char ARRAY = '[';

  private final String source;
  private int pos;

  private V8JsonErrors(String source) {
    this.source = source;
  }

  /**
   * V8's {@code SyntaxError} message for {@code JSON.parse(text)}, without the "Invalid JSON: "
   * that restify puts before it; null when V8 parses the text.
   */
  public static String describe(String text) {
    try {
      new V8JsonErrors(text).parse();
      return null;
    } catch (Rejected r) {
      return r.getMessage();
    }
  }

  private void parse() {
    StringBuilder containers = new StringBuilder(); // V8's continuation stack, one char a level
    while (true) {
      if (produceValue(containers)) {
        continue; // opened a container whose first member is next
      }
      if (!consumeValue(containers)) {
        break;
      }
    }
    if (!check(Token.EOS)) {
      throw reject(peek(), NON_WHITESPACE_AFTER);
    }
  }

  /** Scans one value; true when it opened a container (its first member comes next). */
  private boolean produceValue(StringBuilder containers) {
    switch (skipWhitespace()) {
      case STRING -> {
        pos++;
        scanString();
      }
      case NUMBER -> scanNumber();
      case LBRACE -> {
        pos++;
        if (check(Token.RBRACE)) {
          return false;
        }
        containers.append(OBJECT);
        expectNext(Token.STRING, EXPECTED_PROPERTY_NAME_OR_RBRACE);
        scanString();
        expectNext(Token.COLON, EXPECTED_COLON);
        return true;
      }
      case LBRACK -> {
        pos++;
        if (check(Token.RBRACK)) {
          return false;
        }
        containers.append(ARRAY);
        return true;
      }
      case TRUE -> scanLiteral("true");
      case FALSE -> scanLiteral("false");
      case NULL -> scanLiteral("null");
      default -> throw unexpectedCharacter(); // ':' ',' '}' ']', end of input, anything else
    }
    return false;
  }

  /**
   * After a value: closes the containers it completes. True when another member follows (its
   * key, for an object, already read); false when the top-level value is complete.
   */
  private boolean consumeValue(StringBuilder containers) {
    while (containers.length() > 0) {
      char top = containers.charAt(containers.length() - 1);
      if (check(Token.COMMA)) {
        if (top == OBJECT) {
          expectNext(Token.STRING, EXPECTED_DOUBLE_QUOTED_PROPERTY_NAME);
          scanString();
          expectNext(Token.COLON, null); // only the first key's colon has a message of its own
        }
        return true;
      }
      if (top == OBJECT) {
        expect(Token.RBRACE, EXPECTED_COMMA_OR_RBRACE);
      } else {
        expect(Token.RBRACK, EXPECTED_COMMA_OR_RBRACK);
      }
      containers.setLength(containers.length() - 1);
    }
    return false;
  }

  /** The rest of a string after its opening quote, up to and including the closing one. */
  private void scanString() {
    while (true) {
      if (pos >= source.length()) {
        throw reject(Token.ILLEGAL, UNTERMINATED_STRING);
      }
      char c = source.charAt(pos);
      if (c == '"') {
        pos++;
        return;
      }
      if (c == '\\') {
        pos++;
        if (pos >= source.length() || source.charAt(pos) > 0xFF) {
          throw unexpectedCharacter();
        }
        switch (source.charAt(pos)) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
          case 'u' -> {
            for (int i = 0; i < 4; i++) {
              pos++;
              if (!isHexDigit(at(pos))) {
                throw reject(Token.ILLEGAL, BAD_UNICODE_ESCAPE);
              }
            }
          }
          default -> throw reject(Token.ILLEGAL, BAD_ESCAPED_CHARACTER);
        }
        pos++;
        continue;
      }
      if (c < 0x20) {
        throw reject(Token.ILLEGAL, BAD_CONTROL_CHARACTER);
      }
      pos++;
    }
  }

  /** A number from its '-' or first digit, with V8's checks in V8's order. */
  private void scanNumber() {
    if (source.charAt(pos) == '-') {
      pos++;
    }
    if (at(pos) == '0') {
      pos++;
      if (isDigit(at(pos))) {
        throw reject(Token.NUMBER, null); // a leading zero followed by more digits
      }
    } else {
      int start = pos;
      skipDigits();
      if (pos == start) {
        throw reject(Token.ILLEGAL, NO_NUMBER_AFTER_MINUS);
      }
    }
    if (at(pos) == '.') {
      pos++;
      if (!isDigit(at(pos))) {
        throw reject(Token.ILLEGAL, UNTERMINATED_FRACTION);
      }
      skipDigits();
    }
    if (at(pos) == 'e' || at(pos) == 'E') {
      pos++;
      if (at(pos) == '-' || at(pos) == '+') {
        pos++;
      }
      if (!isDigit(at(pos))) {
        throw reject(Token.ILLEGAL, EXPONENT_MISSING_NUMBER);
      }
      skipDigits();
    }
  }

  /** true/false/null, whose first letter has been seen: the first wrong character is the error. */
  private void scanLiteral(String literal) {
    if (source.startsWith(literal, pos)) {
      pos += literal.length();
      return;
    }
    pos++;
    for (int i = 1; i < literal.length() && pos < source.length(); i++, pos++) {
      if (source.charAt(pos) != literal.charAt(i)) {
        throw unexpectedCharacter();
      }
    }
    throw reject(Token.EOS, null); // the input ended inside the literal
  }

  private Token skipWhitespace() {
    while (pos < source.length() && tokenOf(source.charAt(pos)) == Token.WHITESPACE) {
      pos++;
    }
    return peek();
  }

  private Token peek() {
    return pos < source.length() ? tokenOf(source.charAt(pos)) : Token.EOS;
  }

  /** V8's {@code Check}: skips whitespace and consumes {@code token} if it is next. */
  private boolean check(Token token) {
    if (skipWhitespace() != token) {
      return false;
    }
    pos++;
    return true;
  }

  private void expectNext(Token token, String message) {
    skipWhitespace();
    expect(token, message);
  }

  private void expect(Token token, String message) {
    if (peek() != token) {
      throw reject(peek(), message);
    }
    pos++;
  }

  private Rejected unexpectedCharacter() {
    return reject(peek(), null);
  }

  /**
   * V8's {@code ReportUnexpectedToken}: the check's own message if it has one, else one
   * chosen by the token at the cursor.
   */
  private Rejected reject(Token token, String message) {
    if (message != null) {
      return new Rejected(message + " at position " + pos);
    }
    return new Rejected(switch (token) {
      case EOS -> "Unexpected end of JSON input";
      case NUMBER -> "Unexpected number in JSON at position " + pos;
      case STRING -> "Unexpected string in JSON at position " + pos;
      default -> unexpectedToken();
    });
  }

  private String unexpectedToken() {
    if (isSpecialString()) {
      return "\"" + source + "\" is not valid JSON";
    }
    String token = "Unexpected token '" + source.charAt(pos) + "', ";
    int length = source.length();
    if (length < MIN_LENGTH_FOR_CONTEXT) {
      return token + "\"" + source + "\" is not valid JSON";
    }
    if (pos < CONTEXT) {
      return token + "\"" + source.substring(0, pos + CONTEXT) + "\"... is not valid JSON";
    }
    if (pos < length - CONTEXT) {
      return token + "...\"" + source.substring(pos - CONTEXT, pos + CONTEXT) + "\"... is not valid JSON";
    }
    return token + "...\"" + source.substring(pos - CONTEXT) + "\" is not valid JSON";
  }

  /** What {@code JSON.parse} is given by mistake for a value: String(undefined), String({}), NaN, Infinity. */
  private boolean isSpecialString() {
    return switch (source) {
      case "[object Object]", "undefined", "Infinity", "NaN" -> true;
      default -> false;
    };
  }

  private void skipDigits() {
    while (isDigit(at(pos))) {
      pos++;
    }
  }

  /** The character at {@code i}, or -1 past the end. */
  private int at(int i) {
    return i < source.length() ? source.charAt(i) : -1;
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHexDigit(int c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static Token tokenOf(char c) {
    return switch (c) {
      case '"' -> Token.STRING;
      case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> Token.NUMBER;
      case '{' -> Token.LBRACE;
      case '}' -> Token.RBRACE;
      case '[' -> Token.LBRACK;
      case ']' -> Token.RBRACK;
      case 't' -> Token.TRUE;
      case 'f' -> Token.FALSE;
      case 'n' -> Token.NULL;
      case ':' -> Token.COLON;
      case ',' -> Token.COMMA;
      case ' ', '\t', '\r', '\n' -> Token.WHITESPACE;
      default -> Token.ILLEGAL;
    };
  }

  /** The first error; thrown through the scan, never out of this class. */
  private static final class Rejected extends RuntimeException {
    Rejected(String message) {
      super(message, null, false, false);
    }
  }
}
