package com.joyent.mockcloud.booter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.booter.DhcpPacket.MalformedException;
import com.joyent.mockcloud.booter.DhcpPacket.Problem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DhcpPacket and DhcpOptions against the wire layout of RFC 2131 §2/§3 and RFC 2132: packets are
 * written out byte by byte here, so a codec that agrees with itself but not with the RFC fails.
 */
class DhcpPacketTest {
  private static final byte[] MAC = hex("90 b8 d0 aa bb 01");

  /**
   * The start of a client's fixed header (RFC 2131 §2): op 1, htype 1 (Ethernet), hlen 6, hops 0,
   * xid de ad be ef (high bit set, so sign errors show), secs 4, flags 80 00 (broadcast), ciaddr,
   * yiaddr, siaddr, giaddr all 0, then chaddr's first 6 bytes. {@link #dhcp} zero-fills the rest.
   */
  private static final String REQUEST_HEADER =
      "01 01 06 00  de ad be ef  00 04  80 00  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00  90 b8 d0 aa bb 01";
  /** The same as a server's reply: op 2, no broadcast flag, yiaddr 10.0.0.5, siaddr 10.0.0.1. */
  private static final String REPLY_HEADER =
      "02 01 06 00  de ad be ef  00 00  00 00  00 00 00 00  0a 00 00 05  0a 00 00 01  00 00 00 00  90 b8 d0 aa bb 01";

  // --- 1. decoding a DISCOVER as an iPXE/PXE ROM sends it ---

  @Test
  void decode_pxeDiscover_readsHeaderAndEveryOption() throws Exception {
    byte[] uuid = hex("00  4c 4c 45 44 00 50 10 80 80 4b c3 c0 4f 30 31 32");
    byte[] b = dhcp(REQUEST_HEADER,
        hex("35 01 01"), // 53 message type: DISCOVER
        hex("3d 07 01 90 b8 d0 aa bb 01"), // 61 client id: htype 1 + MAC
        hex("3c 20"), ascii("PXEClient:Arch:00000:UNDI:002001"), // 60 vendor class, 32 bytes
        hex("37 09 01 03 06 0c 0f 2b 3c 42 43"), // 55 parameter request list
        hex("39 02 05 c0"), // 57 max message size 1472
        hex("5d 02 00 00"), // 93 client arch: x86 BIOS
        hex("5e 03 01 02 01"), // 94 client NDI: UNDI 2.1
        hex("61 11"), uuid, // 97 client UUID: type 0 + 16 bytes
        hex("4d 04"), ascii("iPXE"), // 77 user class
        hex("0c 06"), ascii("cn-001"), // 12 hostname
        hex("32 04 0a 00 00 05"), // 50 requested IP 10.0.0.5
        hex("36 04 0a 00 00 01"), // 54 server id 10.0.0.1
        hex("ff"),
        new byte[40]); // PAD after END, as clients pad to at least 300 bytes

    DhcpPacket p = DhcpPacket.decode(b);

    assertThat(p.op()).isEqualTo(DhcpPacket.BOOTREQUEST);
    assertThat(p.xid()).isEqualTo(0xdeadbeefL);
    assertThat(p.secs()).isEqualTo(4);
    assertThat(p.broadcast()).isTrue();
    assertThat(p.ciaddr()).isZero();
    assertThat(p.giaddr()).isZero();
    assertThat(p.chaddr()).containsExactly(MAC);
    assertThat(p.mac()).isEqualTo("90:b8:d0:aa:bb:01");
    assertThat(p.sname()).isEmpty();
    assertThat(p.file()).isEmpty();
    assertThat(p.type()).isEqualTo(DhcpMessageType.DISCOVER);

    DhcpOptions o = p.options();
    assertThat(o.codes()).containsExactly(53, 61, 60, 55, 57, 93, 94, 97, 77, 12, 50, 54);
    assertThat(o.byteValue(DhcpOptions.MESSAGE_TYPE)).isEqualTo(1);
    assertThat(o.bytes(DhcpOptions.CLIENT_ID)).containsExactly(hex("01 90 b8 d0 aa bb 01"));
    assertThat(o.string(DhcpOptions.VENDOR_CLASS)).isEqualTo("PXEClient:Arch:00000:UNDI:002001");
    assertThat(o.bytes(DhcpOptions.PARAMETER_REQUEST_LIST)).containsExactly(hex("01 03 06 0c 0f 2b 3c 42 43"));
    assertThat(o.shortValue(DhcpOptions.MAX_MESSAGE_SIZE)).isEqualTo(1472);
    assertThat(o.shortValue(DhcpOptions.CLIENT_ARCH)).isZero();
    assertThat(o.bytes(DhcpOptions.CLIENT_ARCH)).hasSize(2);
    assertThat(o.bytes(DhcpOptions.CLIENT_NDI)).containsExactly(1, 2, 1);
    assertThat(o.bytes(DhcpOptions.CLIENT_UUID)).hasSize(17).startsWith((byte) 0).containsExactly(uuid);
    assertThat(o.string(DhcpOptions.USER_CLASS)).isEqualTo("iPXE");
    assertThat(o.string(DhcpOptions.HOSTNAME)).isEqualTo("cn-001");
    assertThat(o.ip(DhcpOptions.REQUESTED_IP)).isEqualTo(ip("10.0.0.5"));
    assertThat(o.ip(DhcpOptions.SERVER_ID)).isEqualTo(ip("10.0.0.1"));
  }

  @Test
  void decode_withOffset_readsOnlyTheGivenSlice() throws Exception {
    // A receive buffer with junk before and after the datagram.
    byte[] packet = dhcp(REQUEST_HEADER, hex("35 01 03 ff"));
    byte[] buf = concat(hex("ee ee ee"), packet, hex("01 02 03"));
    DhcpPacket p = DhcpPacket.decode(buf, 3, packet.length);
    assertThat(p.type()).isEqualTo(DhcpMessageType.REQUEST);
    assertThat(p.mac()).isEqualTo("90:b8:d0:aa:bb:01");
  }

  // --- 2. encoding a reply: every field at its RFC 2131 offset ---

  @Test
  void encode_offer_putsEachFieldAtItsOffset() {
    DhcpOptions o = new DhcpOptions()
        .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessageType.OFFER.code())
        .putIps(DhcpOptions.SERVER_ID, ip("10.0.0.1"))
        .putIps(DhcpOptions.SUBNET_MASK, ip("255.255.255.0"))
        .putIps(DhcpOptions.ROUTER, ip("10.0.0.1"))
        .putIps(DhcpOptions.DNS_SERVERS, ip("8.8.8.8"), ip("8.8.4.4"))
        .putString(DhcpOptions.DOMAIN_NAME, "example.com")
        .putIps(DhcpOptions.BROADCAST_ADDRESS, ip("10.0.0.255"))
        .putInt(DhcpOptions.LEASE_TIME, 86400)
        .putInt(DhcpOptions.RENEWAL_TIME, 43200)
        .putInt(DhcpOptions.REBINDING_TIME, 75600)
        .putString(DhcpOptions.TFTP_SERVER, "10.0.0.1")
        .putString(DhcpOptions.BOOTFILE, "undionly.kpxe")
        .put(DhcpOptions.VENDOR_SPECIFIC, hex("06 01 08")); // PXE sub-option 6 (discovery control) = 8
    DhcpPacket p = new DhcpPacket(DhcpPacket.BOOTREPLY, 0xdeadbeefL, 0, true, 0, ip("10.0.0.5"),
        ip("10.0.0.1"), 0, MAC, "tftp-host", "undionly.kpxe", o);

    byte[] b = p.encode();

    assertThat(b[0]).as("op").isEqualTo((byte) 2);
    assertThat(b[1]).as("htype").isEqualTo((byte) 1);
    assertThat(b[2]).as("hlen").isEqualTo((byte) 6);
    assertThat(b[3]).as("hops").isZero();
    assertThat(slice(b, 4, 4)).as("xid").containsExactly(hex("de ad be ef"));
    assertThat(slice(b, 8, 2)).as("secs").containsExactly(0, 0);
    assertThat(slice(b, 10, 2)).as("flags").containsExactly(hex("80 00"));
    assertThat(slice(b, 12, 4)).as("ciaddr").containsExactly(0, 0, 0, 0);
    assertThat(slice(b, 16, 4)).as("yiaddr").containsExactly(hex("0a 00 00 05"));
    assertThat(slice(b, 20, 4)).as("siaddr").containsExactly(hex("0a 00 00 01"));
    assertThat(slice(b, 24, 4)).as("giaddr").containsExactly(0, 0, 0, 0);
    assertThat(slice(b, 28, 6)).as("chaddr").containsExactly(MAC);
    assertThat(slice(b, 34, 10)).as("chaddr padding").containsOnly(0);
    assertThat(slice(b, 44, 64)).as("sname").containsExactly(concat(ascii("tftp-host"), new byte[64 - 9]));
    assertThat(slice(b, 108, 128)).as("file").containsExactly(concat(ascii("undionly.kpxe"), new byte[128 - 13]));
    assertThat(slice(b, 236, 4)).as("magic cookie").containsExactly(hex("63 82 53 63"));

    byte[] options = concat(
        hex("35 01 02"),
        hex("36 04 0a 00 00 01"),
        hex("01 04 ff ff ff 00"),
        hex("03 04 0a 00 00 01"),
        hex("06 08 08 08 08 08 08 08 04 04"),
        hex("0f 0b"), ascii("example.com"),
        hex("1c 04 0a 00 00 ff"),
        hex("33 04 00 01 51 80"), // 86400
        hex("3a 04 00 00 a8 c0"), // 43200
        hex("3b 04 00 01 27 50"), // 75600
        hex("42 08"), ascii("10.0.0.1"),
        hex("43 0d"), ascii("undionly.kpxe"),
        hex("2b 03 06 01 08"),
        hex("ff"));
    // Over 300 bytes already, so nothing is padded after END.
    assertThat(options.length).isEqualTo(99);
    assertThat(b).hasSize(240 + options.length);
    assertThat(slice(b, 240, options.length)).as("options in put order").containsExactly(options);
  }

  @Test
  void encode_nak_unicastAndPaddedTo300() {
    DhcpOptions o = new DhcpOptions()
        .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessageType.NAK.code())
        .putIps(DhcpOptions.SERVER_ID, ip("10.0.0.1"))
        .putString(DhcpOptions.MESSAGE, "no lease");
    DhcpPacket p = new DhcpPacket(DhcpPacket.BOOTREPLY, 0x01020304L, 0, false, 0, 0, 0, ip("10.9.8.7"), MAC,
        null, null, o);

    byte[] b = p.encode();

    // BOOTP's minimum message is 300 bytes: padding after END is PAD (0).
    assertThat(b).hasSize(300);
    assertThat(slice(b, 4, 4)).containsExactly(1, 2, 3, 4);
    assertThat(slice(b, 10, 2)).as("flags without broadcast").containsExactly(0, 0);
    assertThat(slice(b, 24, 4)).as("giaddr").containsExactly(hex("0a 09 08 07"));
    assertThat(slice(b, 44, 64 + 128)).as("null sname/file are empty").containsOnly(0);
    byte[] options = concat(hex("35 01 06  36 04 0a 00 00 01  38 08"), ascii("no lease"), hex("ff"));
    assertThat(slice(b, 240, options.length)).containsExactly(options);
    assertThat(slice(b, 240 + options.length, 300 - 240 - options.length)).containsOnly(0);
  }

  @Test
  void encode_ack_matchesHandBuiltBytes() throws Exception {
    DhcpOptions o = new DhcpOptions()
        .putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessageType.ACK.code())
        .putIps(DhcpOptions.SERVER_ID, ip("10.0.0.1"))
        .putInt(DhcpOptions.LEASE_TIME, 0xffffffffL); // "infinite" lease: all four bytes ff
    DhcpPacket p = new DhcpPacket(DhcpPacket.BOOTREPLY, 0xdeadbeefL, 0, false, 0, ip("10.0.0.5"),
        ip("10.0.0.1"), 0, MAC, "", "", o);
    byte[] expected = dhcp(REPLY_HEADER, hex("35 01 05  36 04 0a 00 00 01  33 04 ff ff ff ff  ff"));
    expected = Arrays.copyOf(expected, 300);

    assertThat(p.encode()).containsExactly(expected);
    assertThat(DhcpPacket.decode(expected).options().intValue(DhcpOptions.LEASE_TIME)).isEqualTo(0xffffffffL);
  }

  // --- 3. round trip ---

  @ParameterizedTest
  @EnumSource(DhcpMessageType.class)
  void roundTrip_everyMessageType(DhcpMessageType type) throws Exception {
    boolean fromServer = type == DhcpMessageType.OFFER || type == DhcpMessageType.ACK
        || type == DhcpMessageType.NAK;
    DhcpOptions o = new DhcpOptions()
        .putByte(DhcpOptions.MESSAGE_TYPE, type.code())
        .putIps(DhcpOptions.SERVER_ID, ip("10.0.0.1"))
        .putString(DhcpOptions.HOSTNAME, "cn-" + type.code());
    DhcpPacket p = new DhcpPacket(fromServer ? DhcpPacket.BOOTREPLY : DhcpPacket.BOOTREQUEST, 0x80000001L + type.code(),
        65535, type == DhcpMessageType.DISCOVER, ip("10.0.0.9"), ip("10.0.0.5"), ip("10.0.0.1"),
        ip("192.168.1.1"), MAC, "srv", "boot/" + type, o);

    byte[] b = p.encode();
    assertThat(slice(b, 240, 3)).containsExactly(0x35, 1, type.code());
    DhcpPacket q = DhcpPacket.decode(b);

    assertThat(q.type()).isEqualTo(type);
    assertThat(q.op()).isEqualTo(p.op());
    assertThat(q.xid()).isEqualTo(p.xid());
    assertThat(q.secs()).isEqualTo(65535);
    assertThat(q.broadcast()).isEqualTo(p.broadcast());
    assertThat(new long[] {q.ciaddr(), q.yiaddr(), q.siaddr(), q.giaddr()})
        .containsExactly(p.ciaddr(), p.yiaddr(), p.siaddr(), p.giaddr());
    assertThat(q.chaddr()).containsExactly(MAC);
    assertThat(q.sname()).isEqualTo("srv");
    assertThat(q.file()).isEqualTo("boot/" + type);
    assertThat(q.options().codes()).containsExactly(53, 54, 12);
    assertThat(q.options().string(DhcpOptions.HOSTNAME)).isEqualTo("cn-" + type.code());
    assertThat(q).isEqualTo(p).hasSameHashCodeAs(p);
    assertThat(q.encode()).containsExactly(b);
  }

  // --- 4. RFC 3396 long options ---

  @Test
  void longOption_isSplitIntoConsecutiveOptionsAndJoinedOnDecode() throws Exception {
    byte[] value = new byte[600];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 7 + 1);
    }
    DhcpOptions o = new DhcpOptions().putByte(DhcpOptions.MESSAGE_TYPE, 5).put(DhcpOptions.VENDOR_SPECIFIC, value);
    byte[] b = reply(o).encode();

    // 600 = 255 + 255 + 90, each piece with the same code, in order.
    int at = 243;
    assertThat(slice(b, at, 2)).containsExactly(0x2b, 0xff);
    assertThat(slice(b, at + 2, 255)).containsExactly(slice(value, 0, 255));
    at += 257;
    assertThat(slice(b, at, 2)).containsExactly(0x2b, 0xff);
    assertThat(slice(b, at + 2, 255)).containsExactly(slice(value, 255, 255));
    at += 257;
    assertThat(slice(b, at, 2)).containsExactly(0x2b, 90);
    assertThat(slice(b, at + 2, 90)).containsExactly(slice(value, 510, 90));
    at += 92;
    assertThat(b[at]).isEqualTo((byte) 0xff);
    assertThat(b).hasSize(at + 1);

    assertThat(DhcpPacket.decode(b).options().bytes(DhcpOptions.VENDOR_SPECIFIC)).containsExactly(value);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 255, 256, 510})
  void longOption_boundaries(int length) throws Exception {
    byte[] value = new byte[length];
    Arrays.fill(value, (byte) 'x');
    byte[] b = reply(new DhcpOptions().putByte(DhcpOptions.MESSAGE_TYPE, 5).put(DhcpOptions.VENDOR_SPECIFIC, value))
        .encode();
    // An empty value still goes on the wire as code, 0; 255 fits in one option; 256 needs two.
    int pieces = Math.max(1, (length + 254) / 255);
    int end = 243 + 2 * pieces + length;
    assertThat(b[243]).isEqualTo((byte) 43);
    assertThat(b[end]).isEqualTo((byte) 0xff);
    assertThat(DhcpPacket.decode(b).options().bytes(DhcpOptions.VENDOR_SPECIFIC)).containsExactly(value);
  }

  @Test
  void splitOption_sentByAClient_isJoined() throws Exception {
    byte[] b = dhcp(REQUEST_HEADER, hex("35 01 01  0f 04"), ascii("exam"), hex("0c 02"), ascii("cn"),
        hex("0f 07"), ascii("ple.com"), hex("ff"));
    DhcpOptions o = DhcpPacket.decode(b).options();
    assertThat(o.string(DhcpOptions.DOMAIN_NAME)).isEqualTo("example.com");
    assertThat(o.codes()).containsExactly(53, 15, 12);
  }

  // --- 5. option overload (RFC 2131 §4.1, RFC 2132 §9.3) ---

  @Test
  void overload1_readsOptionsFromFile() throws Exception {
    // Even the message type may be in the overloaded field: it is checked after every field is read.
    byte[] b = dhcp(REPLY_HEADER, hex("34 01 01  ff"));
    put(b, 44, ascii("tftp.example"));
    put(b, 108, concat(hex("35 01 05  0c 04"), ascii("cn-1"), hex("ff")));

    DhcpPacket p = DhcpPacket.decode(b);

    assertThat(p.type()).isEqualTo(DhcpMessageType.ACK);
    assertThat(p.options().string(DhcpOptions.HOSTNAME)).isEqualTo("cn-1");
    assertThat(p.file()).isEmpty();
    assertThat(p.sname()).isEqualTo("tftp.example");
  }

  @Test
  void overload2_readsOptionsFromSname() throws Exception {
    byte[] b = dhcp(REPLY_HEADER, hex("35 01 05  34 01 02  ff"));
    put(b, 44, concat(hex("0f 07"), ascii("example"), hex("ff")));
    put(b, 108, ascii("undionly.kpxe"));

    DhcpPacket p = DhcpPacket.decode(b);

    assertThat(p.options().string(DhcpOptions.DOMAIN_NAME)).isEqualTo("example");
    assertThat(p.sname()).isEmpty();
    assertThat(p.file()).isEqualTo("undionly.kpxe");
  }

  @Test
  void overload3_readsOptionsThenFileThenSname() throws Exception {
    // One option split over all three fields: RFC 3396 joins them in the order options, file, sname.
    byte[] b = dhcp(REPLY_HEADER, hex("35 01 05  34 01 03  0f 03"), ascii("exa"), hex("ff"));
    put(b, 108, concat(hex("0f 02"), ascii("mp"), hex("0c 04"), ascii("cn-1"))); // no END: runs to the field's end
    put(b, 44, concat(hex("00 00 0f 02"), ascii("le"), hex("ff"))); // PADs are skipped

    DhcpPacket p = DhcpPacket.decode(b);

    assertThat(p.options().string(DhcpOptions.DOMAIN_NAME)).isEqualTo("example");
    assertThat(p.options().string(DhcpOptions.HOSTNAME)).isEqualTo("cn-1");
    assertThat(p.file()).isEmpty();
    assertThat(p.sname()).isEmpty();
  }

  @Test
  void noOverload_fileAndSnameAreText_evenIfTheyLookLikeOptions() throws Exception {
    byte[] b = dhcp(REPLY_HEADER, hex("35 01 05  ff"));
    put(b, 44, ascii("srv"));
    put(b, 108, ascii("\u000c\u0002ab"));
    DhcpPacket p = DhcpPacket.decode(b);
    assertThat(p.options().has(DhcpOptions.HOSTNAME)).isFalse();
    assertThat(p.file()).isEqualTo("\u000c\u0002ab");
    assertThat(p.sname()).isEqualTo("srv");
  }

  // --- 6. malformed input ---

  @Test
  void malformed_truncated() {
    assertProblem(new byte[0], Problem.TRUNCATED);
    // The fixed header and cookie are 240 bytes: one short is truncated, whatever it holds.
    assertProblem(Arrays.copyOf(dhcp(REQUEST_HEADER), 239), Problem.TRUNCATED);
    byte[] packet = dhcp(REQUEST_HEADER, hex("35 01 01 ff"));
    assertThatThrownBy(() -> DhcpPacket.decode(packet, 0, 239))
        .isInstanceOfSatisfying(MalformedException.class, e -> assertThat(e.problem()).isEqualTo(Problem.TRUNCATED));
  }

  @Test
  void malformed_notEthernet() {
    String rest = REQUEST_HEADER.substring(8); // after op, htype, hlen
    assertProblem(dhcp("01 06 06" + rest, hex("35 01 01 ff")), Problem.NOT_ETHERNET); // htype 6: IEEE 802
    assertProblem(dhcp("01 01 08" + rest, hex("35 01 01 ff")), Problem.NOT_ETHERNET); // hlen 8
    assertProblem(dhcp("03 01 06" + rest, hex("35 01 01 ff")), Problem.NOT_ETHERNET); // op 3
    assertProblem(dhcp("00 01 06" + rest, hex("35 01 01 ff")), Problem.NOT_ETHERNET); // op 0
  }

  @Test
  void malformed_badCookie() {
    byte[] b = dhcp(REQUEST_HEADER, hex("35 01 01 ff"));
    put(b, 236, hex("63 82 53 64"));
    assertProblem(b, Problem.BAD_COOKIE);
    put(b, 236, hex("00 00 00 00")); // plain BOOTP with no vendor extensions
    assertProblem(b, Problem.BAD_COOKIE);
  }

  @Test
  void malformed_optionOverflow() throws Exception {
    // Hostname says 10 bytes, 3 are left.
    assertProblem(dhcp(REQUEST_HEADER, hex("35 01 01  0c 0a"), ascii("abc")), Problem.OPTION_OVERFLOW);
    // The length byte is the packet's last byte.
    assertProblem(dhcp(REQUEST_HEADER, hex("35 01 01  0c 04")), Problem.OPTION_OVERFLOW);
    // The code byte is the packet's last byte: its length is missing.
    assertProblem(dhcp(REQUEST_HEADER, hex("35 01 01  0c")), Problem.OPTION_OVERFLOW);
    // In an overloaded file field the bound is the field's end, though the cookie follows it.
    byte[] b = dhcp(REQUEST_HEADER, hex("35 01 01  34 01 01  ff"));
    put(b, 108 + 126, hex("0c 05")); // file is PAD up to here
    assertProblem(b, Problem.OPTION_OVERFLOW);

    // Boundary that is fine: a zero-length option ending exactly at the packet's end.
    DhcpPacket p = DhcpPacket.decode(dhcp(REQUEST_HEADER, hex("35 01 01  0c 00")));
    assertThat(p.options().bytes(DhcpOptions.HOSTNAME)).isEmpty();
    // And an option ending exactly at the end without END.
    p = DhcpPacket.decode(dhcp(REQUEST_HEADER, hex("35 01 01  0c 02"), ascii("cn")));
    assertThat(p.options().string(DhcpOptions.HOSTNAME)).isEqualTo("cn");
  }

  @Test
  void malformed_noMessageType() {
    assertProblem(dhcp(REQUEST_HEADER, hex("0c 02"), ascii("cn"), hex("ff")), Problem.NO_MESSAGE_TYPE);
    assertProblem(dhcp(REQUEST_HEADER), Problem.NO_MESSAGE_TYPE); // exactly 240 bytes, no options
    assertProblem(dhcp(REQUEST_HEADER, hex("35 01 09 ff")), Problem.NO_MESSAGE_TYPE); // unknown type 9
    assertProblem(dhcp(REQUEST_HEADER, hex("35 02 00 01 ff")), Problem.NO_MESSAGE_TYPE); // not one byte
    // After END nothing is read, so a type there does not count.
    assertProblem(dhcp(REQUEST_HEADER, hex("ff 35 01 01")), Problem.NO_MESSAGE_TYPE);
  }

  @Test
  void randomBytes_onlyEverThrowMalformed() {
    Random r = new Random(2131);
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[r.nextInt(601)];
      r.nextBytes(b);
      decodeOrMalformed(b, i);
    }
  }

  @Test
  void randomOptions_behindAValidHeader_onlyEverThrowMalformed() {
    // Pure random bytes nearly all stop at op/htype/hlen. These have a valid header and well-formed
    // random options (in file and sname too, with overload 0..4), then half get one byte corrupted.
    Random r = new Random(3396);
    int decoded = 0;
    int overloaded = 0;
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[240 + 6 + r.nextInt(355)];
      r.nextBytes(b);
      put(b, 0, hex(i % 2 == 0 ? "01 01 06" : "02 01 06"));
      put(b, 236, hex("63 82 53 63  35 01 01  34 01"));
      b[245] = (byte) r.nextInt(5);
      randomOptions(r, b, 246, b.length);
      randomOptions(r, b, 108, 236);
      randomOptions(r, b, 44, 108);
      if (r.nextBoolean()) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      DhcpPacket p = decodeOrMalformed(b, i);
      if (p != null) {
        decoded++;
        int overload = p.options().byteValue(DhcpOptions.OVERLOAD);
        if (overload >= 1 && overload <= 3) {
          overloaded++;
          assertThat(overload == 2 ? p.sname() : p.file()).isEmpty();
        }
      }
    }
    // The loop must reach the success path, overload included, not just the refusals.
    assertThat(decoded).as("packets that decoded").isGreaterThan(1000);
    assertThat(overloaded).as("overloaded packets that decoded").isGreaterThan(500);
  }

  /** Fills b[from, to) with random code/length/value options that fit exactly (no END). */
  private static void randomOptions(Random r, byte[] b, int from, int to) {
    int i = from;
    while (to - i >= 2) {
      int len = r.nextInt(Math.min(40, to - i - 2) + 1);
      b[i] = (byte) (1 + r.nextInt(254));
      b[i + 1] = (byte) len;
      i += 2 + len;
    }
    if (i < to) {
      b[i] = DhcpOptions.PAD;
    }
  }

  // --- 7. DhcpOptions getters and argument checks ---

  @Test
  void getters_absentOrWrongLength() {
    DhcpOptions o = new DhcpOptions();
    assertThat(o.byteValue(57)).isEqualTo(-1);
    assertThat(o.shortValue(57)).isEqualTo(-1);
    assertThat(o.intValue(51)).isEqualTo(-1);
    assertThat(o.ip(3)).isEqualTo(-1);
    assertThat(o.ips(6)).isEmpty();
    assertThat(o.string(12)).isNull();
    assertThat(o.bytes(12)).isNull();
    assertThat(o.has(12)).isFalse();
    assertThat(o.type()).isNull();

    o.put(53, hex("01 00")).put(57, hex("05")).put(51, hex("00 01 51")).put(3, hex("0a 00 00"))
        .put(6, hex("08 08 08 08 08")).put(1, new byte[0]);
    assertThat(o.byteValue(53)).isEqualTo(-1);
    assertThat(o.type()).isNull();
    assertThat(o.shortValue(57)).isEqualTo(-1);
    assertThat(o.shortValue(51)).isEqualTo(-1);
    assertThat(o.intValue(51)).isEqualTo(-1);
    assertThat(o.ip(3)).isEqualTo(-1);
    assertThat(o.ips(6)).isEmpty();
    assertThat(o.ips(1)).isEmpty();
    assertThat(o.ip(1)).isEqualTo(-1);
  }

  @Test
  void getters_areUnsignedAndBigEndian() {
    DhcpOptions o = new DhcpOptions().put(1, hex("ff")).put(2, hex("ff fe")).put(3, hex("ff ff ff fe"))
        .putIps(6, ip("255.255.255.255"), ip("1.2.3.4"));
    assertThat(o.byteValue(1)).isEqualTo(255);
    assertThat(o.shortValue(2)).isEqualTo(0xfffe);
    assertThat(o.intValue(3)).isEqualTo(0xfffffffeL);
    assertThat(o.bytes(6)).containsExactly(hex("ff ff ff ff 01 02 03 04"));
    assertThat(o.ips(6)).containsExactly(0xffffffffL, 0x01020304L);
    assertThat(o.ip(6)).isEqualTo(0xffffffffL);
    assertThat(new DhcpOptions().putShort(57, 1472).bytes(57)).containsExactly(0x05, 0xc0);
  }

  @Test
  void string_dropsTrailingNulsOnly() {
    DhcpOptions o = new DhcpOptions().put(12, ascii("cn-1\0\0")).put(15, ascii("a\0b\0")).put(60, hex("00 00"));
    assertThat(o.string(12)).isEqualTo("cn-1");
    assertThat(o.string(15)).isEqualTo("a\0b");
    assertThat(o.string(60)).isEmpty();
  }

  @Test
  void put_copiesAndReplaces_codesKeepFirstPutOrder() {
    byte[] v = ascii("one");
    DhcpOptions o = new DhcpOptions().put(12, v).putByte(53, 1);
    v[0] = 'X';
    assertThat(o.string(12)).isEqualTo("one");
    o.bytes(12)[0] = 'Y';
    assertThat(o.string(12)).isEqualTo("one");
    o.putString(12, "two");
    assertThat(o.string(12)).isEqualTo("two");
    assertThat(o.codes()).containsExactly(12, 53);
    assertThatThrownBy(() -> o.codes().add(1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {DhcpOptions.PAD, DhcpOptions.END, -1, 256})
  void put_padEndOrOutOfRange_throws(int code) {
    assertThatThrownBy(() -> new DhcpOptions().put(code, hex("01"))).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 5, 7, 16})
  void packet_chaddrNotSixBytes_throws(int length) {
    // 16 is the size of the chaddr field, but on Ethernet hlen is 6.
    assertThatThrownBy(() -> new DhcpPacket(1, 1, 0, false, 0, 0, 0, 0, new byte[length], "", "",
        new DhcpOptions().putByte(53, 1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void packet_chaddrIsCopied() {
    byte[] mac = MAC.clone();
    DhcpPacket p = new DhcpPacket(2, 1, 0, false, 0, 0, 0, 0, mac, "", "", new DhcpOptions().putByte(53, 5));
    mac[0] = 0;
    p.chaddr()[1] = 0;
    assertThat(p.mac()).isEqualTo("90:b8:d0:aa:bb:01");
  }

  // --- 8. MAC text ---

  @Test
  void mac_isLowerCaseColonSeparated() {
    assertThat(DhcpPacket.parseMac("90:B8:D0:AA:BB:01")).containsExactly(MAC);
    assertThat(DhcpPacket.formatMac(hex("00 01 0a ff 7f 80"))).isEqualTo("00:01:0a:ff:7f:80");
    DhcpPacket p = new DhcpPacket(1, 1, 0, false, 0, 0, 0, 0, DhcpPacket.parseMac("AA:BB:CC:DD:EE:0F"), "", "",
        new DhcpOptions().putByte(53, 1));
    assertThat(p.mac()).isEqualTo("aa:bb:cc:dd:ee:0f");
    assertThat(DhcpPacket.parseMac(p.mac())).containsExactly(p.chaddr());
    assertThatThrownBy(() -> DhcpPacket.parseMac("90-b8-d0-aa-bb-01")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DhcpPacket.parseMac("90:b8:d0:aa:bb")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DhcpPacket.parseMac("90:b8:d0:aa:bb:zz")).isInstanceOf(IllegalArgumentException.class);
  }

  // --- helpers ---

  /** A packet: the 236-byte fixed header (given start, zero-filled), the magic cookie, then the options as given. */
  private static byte[] dhcp(String headerHex, byte[]... options) {
    byte[] header = Arrays.copyOf(hex(headerHex), 236);
    return concat(header, hex("63 82 53 63"), concat(options));
  }

  private static DhcpPacket reply(DhcpOptions o) {
    return new DhcpPacket(DhcpPacket.BOOTREPLY, 0xdeadbeefL, 0, false, 0, 0, 0, 0, MAC, "", "", o);
  }

  private static void assertProblem(byte[] b, Problem problem) {
    assertThatThrownBy(() -> DhcpPacket.decode(b))
        .isInstanceOfSatisfying(MalformedException.class, e -> assertThat(e.problem()).isEqualTo(problem));
  }

  /** The packet decoded, or null when refused as malformed; anything else fails, naming the packet. */
  private static DhcpPacket decodeOrMalformed(byte[] b, int i) {
    try {
      DhcpPacket p = DhcpPacket.decode(b);
      assertThat(p.type()).isNotNull();
      return p;
    } catch (MalformedException e) {
      assertThat(e.problem()).isNotNull();
      return null;
    } catch (RuntimeException e) {
      throw new AssertionError("packet " + i + " (" + b.length + " bytes) threw " + e + ": "
          + HexFormat.of().formatHex(b), e);
    }
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] slice(byte[] b, int from, int length) {
    return Arrays.copyOfRange(b, from, from + length);
  }

  private static void put(byte[] b, int at, byte[] v) {
    System.arraycopy(v, 0, b, at, v.length);
  }

  /** A dotted quad as the unsigned 32-bit value the codec takes, computed here rather than by the codec. */
  private static long ip(String dotted) {
    long v = 0;
    for (String part : dotted.split("\\.")) {
      v = v << 8 | Integer.parseInt(part);
    }
    return v;
  }

  // ---- what the first review found: each was a bug ----

  @Test
  void fullSnameAndFileFields_withoutNul_roundTrip() throws Exception {
    String sname = "s".repeat(64);
    String file = "f".repeat(128);
    DhcpPacket p = new DhcpPacket(DhcpPacket.BOOTREPLY, 7, 0, false, 0, 0, 0, 0, DhcpPacket.parseMac("00:10:fe:00:00:01"),
        sname, file, new DhcpOptions().putByte(DhcpOptions.MESSAGE_TYPE, 2));
    DhcpPacket back = DhcpPacket.decode(p.encode());
    assertThat(back.sname()).isEqualTo(sname);
    assertThat(back.file()).isEqualTo(file);
    assertThat(back).isEqualTo(p);
    assertThatThrownBy(() -> new DhcpPacket(1, 7, 0, false, 0, 0, 0, 0, new byte[6], "s".repeat(65), null,
        new DhcpOptions())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPacketsOptions_cannotBeChangedFromOutside() throws Exception {
    DhcpOptions o = new DhcpOptions().putByte(DhcpOptions.MESSAGE_TYPE, 1);
    DhcpPacket p = new DhcpPacket(1, 7, 0, false, 0, 0, 0, 0, new byte[6], null, null, o);
    o.putByte(DhcpOptions.MESSAGE_TYPE, 6);
    p.options().putByte(DhcpOptions.MESSAGE_TYPE, 6);
    assertThat(p.type()).isEqualTo(DhcpMessageType.DISCOVER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"100:b8:d0:aa:bb:01", "-1:b8:d0:aa:bb:01", "+9:b8:d0:aa:bb:01", "90:b8:d0:aa:bb:01:",
      "90:b8:d0:aa:bb", "90-b8-d0-aa-bb-01", "zz:b8:d0:aa:bb:01"})
  void parseMac_refusesWhatIsNotAMac(String text) {
    assertThatThrownBy(() -> DhcpPacket.parseMac(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fieldsOutOfRange_areRefusedWhenBuilt() {
    byte[] mac = new byte[6];
    DhcpOptions o = new DhcpOptions();
    assertThatThrownBy(() -> new DhcpPacket(3, 1, 0, false, 0, 0, 0, 0, mac, null, null, o))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DhcpPacket(1, 0x1_0000_0001L, 0, false, 0, 0, 0, 0, mac, null, null, o))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DhcpPacket(1, 1, 70_000, false, 0, 0, 0, 0, mac, null, null, o))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
