package com.joyent.mockcloud.fwrule;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Parses sdc-fwrule's rule syntax, the common cases: sides of {@code any}, {@code all vms},
 * {@code vm <uuid>}, {@code tag <name> [= <value>]}, {@code ip <IPv4>}, {@code subnet <CIDR>}
 * (several in {@code ( .. OR .. )}); {@code ALLOW|BLOCK}; {@code tcp}/{@code udp} with
 * {@code PORT n}, {@code PORT all}, {@code (PORT a AND PORT b)}, {@code PORTS a - b, c};
 * {@code icmp}/{@code icmp6} with {@code TYPE t [CODE c]}, {@code TYPE all}; {@code ah},
 * {@code esp}; {@code PRIORITY 0..100}. Keywords are all upper or all lower case, as in fwrule.
 * Errors say where, in fwrule's words where they are known. IPv6 addresses are not parsed.
 */
public final class FwRuleParser {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final int MAX_TARGETS = 24;
  private static final int MAX_PORTS = 24;

  /** A rule that does not parse or is not valid; the message is fwrule's where known. */
  public static final class RuleException extends Exception {
    public RuleException(String message) {
      super(message);
    }
  }

  private record Token(String text, int pos, boolean quoted) {}

  private final List<Token> tokens;
  private final int end;
  private int i;

  private FwRuleParser(List<Token> tokens, int end) {
    this.tokens = tokens;
    this.end = end;
  }

  public static FwRule parse(String text) throws RuleException {
    if (text == null || text.isBlank()) {
      throw new RuleException("Error at character 0: '', expected: 'FROM', found: EOF");
    }
    FwRuleParser p = new FwRuleParser(tokenize(text), text.length());
    return p.rule();
  }

  private FwRule rule() throws RuleException {
    keyword("FROM");
    FwRule.Side from = side();
    keyword("TO");
    FwRule.Side to = side();
    String action = oneOf("ALLOW", "BLOCK");
    Token protoTok = next("'tcp', 'udp', 'icmp', 'icmp6', 'ah', 'esp'");
    String proto = protoTok.text().toLowerCase(java.util.Locale.ROOT);
    if (!protoTok.text().equals(proto) && !protoTok.text().equals(proto.toUpperCase(java.util.Locale.ROOT))
        || !List.of("tcp", "udp", "icmp", "icmp6", "ah", "esp").contains(proto)) {
      throw unexpected(protoTok, "'tcp', 'udp', 'icmp', 'icmp6', 'ah', 'esp'");
    }
    List<FwRule.Port> ports = new ArrayList<>();
    List<FwRule.IcmpType> types = new ArrayList<>();
    boolean all = false;
    if (proto.equals("tcp") || proto.equals("udp")) {
      all = ports(ports);
    } else if (proto.startsWith("icmp")) {
      icmpTypes(types);
    }
    Integer priority = null;
    if (i < tokens.size() && isKeyword(tokens.get(i), "PRIORITY")) {
      i++;
      Token n = next("a number");
      priority = number(n, 0, 100, "Priority \"" + n.text() + "\" is invalid");
    }
    if (i < tokens.size()) {
      throw unexpected(tokens.get(i), "EOF");
    }
    if (!from.namesVms() && !to.namesVms()) {
      throw new RuleException("rule does not affect VMs");
    }
    return new FwRule(from, to, action.toUpperCase(java.util.Locale.ROOT), proto, ports, types, all, priority);
  }

  private FwRule.Side side() throws RuleException {
    List<String> ips = new ArrayList<>();
    List<String> subnets = new ArrayList<>();
    List<FwRule.Tag> tags = new ArrayList<>();
    List<String> vms = new ArrayList<>();
    boolean[] wild = new boolean[2];
    if (peekIs("(")) {
      i++;
      do {
        target(ips, subnets, tags, vms, wild);
      } while (acceptKeyword("OR"));
      expectText(")", "'OR', ')'");
    } else {
      target(ips, subnets, tags, vms, wild);
    }
    FwRule.Side s = new FwRule.Side(wild[0], wild[1], ips, subnets, tags, vms);
    if (s.size() > MAX_TARGETS) {
      throw new RuleException("maximum of " + MAX_TARGETS + " targets allowed per side");
    }
    return s;
  }

  private void target(List<String> ips, List<String> subnets, List<FwRule.Tag> tags, List<String> vms,
      boolean[] wild) throws RuleException {
    String expected = "'(', 'all', 'any', 'ip', 'subnet', 'vm', 'tag'";
    Token t = next(expected);
    if (isKeyword(t, "ANY")) {
      wild[0] = true;
    } else if (isKeyword(t, "ALL")) {
      Token v = next("'vms'");
      if (!isKeyword(v, "VMS")) {
        throw unexpected(v, "'vms'");
      }
      wild[1] = true;
    } else if (isKeyword(t, "IP")) {
      Token ip = next("an IP address");
      if (!IPV4.matcher(ip.text()).matches()) {
        throw new RuleException("IP address \"" + ip.text() + "\" is invalid");
      }
      ips.add(ip.text());
    } else if (isKeyword(t, "SUBNET")) {
      Token s = next("a subnet");
      subnets.add(subnet(s.text()));
    } else if (isKeyword(t, "VM")) {
      Token u = next("a UUID");
      try {
        String uuid = UUID.fromString(u.text()).toString();
        if (!uuid.equalsIgnoreCase(u.text())) {
          throw new IllegalArgumentException();
        }
        vms.add(uuid);
      } catch (IllegalArgumentException e) {
        throw new RuleException("UUID \"" + u.text() + "\" is invalid");
      }
    } else if (isKeyword(t, "TAG")) {
      Token k = next("a tag name");
      String value = null;
      if (peekIs("=")) {
        i++;
        value = next("a tag value").text();
      }
      tags.add(new FwRule.Tag(k.text(), value));
    } else {
      throw unexpected(t, expected);
    }
  }

  /** The ports of tcp/udp; true for {@code PORT all}. */
  private boolean ports(List<FwRule.Port> ports) throws RuleException {
    if (peekIs("(")) {
      i++;
      do {
        keyword("PORT");
        ports.add(onePort(next("a port number")));
      } while (acceptKeyword("AND"));
      expectText(")", "'AND', ')'");
    } else {
      Token kw = next("'PORT', 'PORTS', '('");
      if (isKeyword(kw, "PORT")) {
        Token n = next("a port number");
        if (isKeyword(n, "ALL")) {
          return true;
        }
        ports.add(onePort(n));
      } else if (isKeyword(kw, "PORTS")) {
        do {
          ports.add(portOrRange());
        } while (acceptText(","));
      } else {
        throw unexpected(kw, "'PORT', 'PORTS', '('");
      }
    }
    if (ports.size() > MAX_PORTS) {
      throw new RuleException("maximum of " + MAX_PORTS + " ports allowed");
    }
    return false;
  }

  private FwRule.Port portOrRange() throws RuleException {
    Token a = next("a port number");
    String[] split = a.text().split("-", -1);
    if (split.length == 2 && !split[0].isEmpty() && !split[1].isEmpty()) {
      return range(port(split[0]), port(split[1]));
    }
    int from = port(a.text());
    if (acceptText("-")) {
      return range(from, port(next("a port number").text()));
    }
    return new FwRule.Port(from, from);
  }

  private static FwRule.Port range(int from, int to) throws RuleException {
    if (from > to) {
      throw new RuleException("The end of the range (" + to + ") cannot be less than the start (" + from + ")");
    }
    return new FwRule.Port(from, to);
  }

  private FwRule.Port onePort(Token t) throws RuleException {
    int p = port(t.text());
    return new FwRule.Port(p, p);
  }

  private static int port(String s) throws RuleException {
    try {
      int p = Integer.parseInt(s);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new RuleException("Port number \"" + s + "\" is invalid");
  }

  private void icmpTypes(List<FwRule.IcmpType> types) throws RuleException {
    boolean grouped = peekIs("(");
    if (grouped) {
      i++;
    }
    do {
      keyword("TYPE");
      Token t = next("an ICMP type");
      if (!grouped && isKeyword(t, "ALL")) {
        return;
      }
      int type = number(t, 0, 255, "ICMP type \"" + t.text() + "\" is invalid");
      Integer code = null;
      if (acceptKeyword("CODE")) {
        Token c = next("an ICMP code");
        code = number(c, 0, 255, "ICMP code \"" + c.text() + "\" is invalid");
      }
      types.add(new FwRule.IcmpType(type, code));
    } while (grouped && acceptKeyword("AND"));
    if (grouped) {
      expectText(")", "'AND', ')'");
    }
  }

  private static int number(Token t, int min, int max, String message) throws RuleException {
    try {
      int n = Integer.parseInt(t.text());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new RuleException(message);
  }

  private static String subnet(String s) throws RuleException {
    String[] parts = s.split("/", -1);
    if (parts.length == 2 && IPV4.matcher(parts[0]).matches() && parts[1].matches("\\d{1,2}")
        && Integer.parseInt(parts[1]) <= 32) {
      int bits = Integer.parseInt(parts[1]);
      long addr = 0;
      for (String o : parts[0].split("\\.")) {
        addr = addr << 8 | Integer.parseInt(o);
      }
      long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
      if ((addr & ~mask & 0xFFFFFFFFL) != 0) {
        throw new RuleException("Subnet \"" + s + "\" is invalid (bits set to right of mask)");
      }
      return s;
    }
    throw new RuleException("Subnet \"" + s + "\" is invalid");
  }

  // ---- tokens

  private static List<Token> tokenize(String s) throws RuleException {
    List<Token> out = new ArrayList<>();
    int n = s.length();
    int p = 0;
    while (p < n) {
      char c = s.charAt(p);
      if (Character.isWhitespace(c)) {
        p++;
      } else if (c == '(' || c == ')' || c == ',' || c == '=') {
        out.add(new Token(String.valueOf(c), p, false));
        p++;
      } else if (c == '"') {
        StringBuilder b = new StringBuilder();
        int start = p++;
        boolean closed = false;
        while (p < n) {
          char d = s.charAt(p++);
          if (d == '\\' && p < n) {
            char e = s.charAt(p++);
            if (e == 'u' && p + 4 <= n) {
              b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
              p += 4;
            } else {
              b.append(e);
            }
          } else if (d == '"') {
            closed = true;
            break;
          } else {
            b.append(d);
          }
        }
        if (!closed) {
          throw new RuleException("Error at character " + start + ": unterminated string");
        }
        out.add(new Token(b.toString(), start, true));
      } else if (isWordChar(c)) {
        int start = p;
        while (p < n && isWordChar(s.charAt(p))) {
          p++;
        }
        out.add(new Token(s.substring(start, p), start, false));
      } else {
        throw new RuleException("Error at character " + p + ": unexpected '" + c + "'");
      }
    }
    return out;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
  }

  private Token next(String expected) throws RuleException {
    if (i >= tokens.size()) {
      throw new RuleException("Error at character " + end + ": '', expected: " + expected + ", found: EOF");
    }
    return tokens.get(i++);
  }

  private boolean peekIs(String text) {
    return i < tokens.size() && !tokens.get(i).quoted() && tokens.get(i).text().equals(text);
  }

  private boolean acceptText(String text) {
    if (peekIs(text)) {
      i++;
      return true;
    }
    return false;
  }

  private void expectText(String text, String expected) throws RuleException {
    Token t = next(expected);
    if (t.quoted() || !t.text().equals(text)) {
      throw unexpected(t, expected);
    }
  }

  /** A keyword as fwrule's lexer takes it: all upper or all lower case. */
  private static boolean isKeyword(Token t, String upper) {
    return !t.quoted() && (t.text().equals(upper) || t.text().equals(upper.toLowerCase(java.util.Locale.ROOT)));
  }

  private boolean acceptKeyword(String upper) {
    if (i < tokens.size() && isKeyword(tokens.get(i), upper)) {
      i++;
      return true;
    }
    return false;
  }

  private void keyword(String upper) throws RuleException {
    Token t = next("'" + upper + "'");
    if (!isKeyword(t, upper)) {
      throw unexpected(t, "'" + upper + "'");
    }
  }

  private String oneOf(String... uppers) throws RuleException {
    String expected = "'" + String.join("', '", uppers) + "'";
    Token t = next(expected);
    for (String u : uppers) {
      if (isKeyword(t, u)) {
        return u;
      }
    }
    throw unexpected(t, expected);
  }

  private static RuleException unexpected(Token t, String expected) {
    return new RuleException("Error at character " + t.pos() + ": '" + t.text() + "', expected: " + expected
        + ", found: " + (t.quoted() ? "string" : "word"));
  }
}
