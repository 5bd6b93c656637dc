package com.joyent.mockcloud.fast;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** node-fast framing and fast-messages, against bytes the real node encoder produced (docs/reference/fast-protocol.md). */
class FastProtocolTest {
  private static final String PING = "{\"m\":{\"uts\":1700000000000000,\"name\":\"ping\"},\"d\":[{}]}";

  @Test
  void crcIsNodeFastV1_overUtf16CodeUnits() {
    assertThat(FastCrc.v1("123456789")).isEqualTo(0x31C3);
    assertThat(FastCrc.v1(PING)).isEqualTo(0x6578);
    assertThat(FastCrc.v1("{\"d\":[\"é\"]}")).isEqualTo(0x0B45);
    assertThat(FastCrc.v1("{\"d\":[\"€\"]}")).isEqualTo(0xD99C);
    assertThat(FastCrc.v1("{\"d\":[\"😀\"]}")).isEqualTo(0xCD4C);
  }

  @Test
  void encodesThePingFrameByteForByte_andDecodesIt() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uts", 1700000000000000L);
    m.put("name", "ping");
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("m", m);
    payload.put("d", List.of(Map.of()));
    EmbeddedChannel ch = new EmbeddedChannel(new FastFrameCodec());
    ch.writeOutbound(new FastFrame(FastFrame.DATA, 1, payload));
    ByteBuf out = ch.readOutbound();
    assertThat(ByteBufUtil.hexDump(out)).isEqualTo("010101000000010000657800000035"
        + ByteBufUtil.hexDump(PING.getBytes(StandardCharsets.US_ASCII)));
    ch.writeInbound(out);
    FastFrame back = ch.readInbound();
    assertThat(back.method()).isEqualTo("ping");
    assertThat(back.msgid()).isEqualTo(1);
    assertThat(back.data()).containsExactly(Map.of());
  }

  @Test
  void aBadCrcOrVersionClosesTheConnection() {
    EmbeddedChannel ch = new EmbeddedChannel(new FastFrameCodec());
    byte[] body = PING.getBytes(StandardCharsets.US_ASCII);
    ByteBuf bad = io.netty.buffer.Unpooled.buffer().writeByte(1).writeByte(1).writeByte(1).writeInt(1)
        .writeInt(0x1234).writeInt(body.length).writeBytes(body);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.writeInbound(bad))
        .hasMessageContaining("expected CRC 4660, found 25976");
    EmbeddedChannel ch2 = new EmbeddedChannel(new FastFrameCodec());
    ByteBuf v2 = io.netty.buffer.Unpooled.buffer().writeByte(2).writeByte(1).writeByte(1).writeInt(1)
        .writeInt(0).writeInt(0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch2.writeInbound(v2))
        .hasMessageContaining("unsupported version 2");
  }

  @Test
  void messagesClientSkipsTheSyncRecord_getsBroadcasts_andComesBackAfterTheServerRestarts() throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try {
      FastServer server = new FastServer(group);
      FastMessagesServer messages = new FastMessagesServer(server, "fwapi0");
      int port = server.listen("127.0.0.1", 0);
      List<Map<String, Object>> got = new CopyOnWriteArrayList<>();
      FastMessagesClient client = new FastMessagesClient(group, "127.0.0.1", port, "cn-1", got::add);
      client.start();
      await(() -> messages.clients().equals(List.of("cn-1")));
      messages.send("fw.add_rule", "r1", Map.of("uuid", "u1"));
      await(() -> got.size() == 1);
      assertThat(got.get(0)).containsEntry("id", 1).containsEntry("name", "fw.add_rule")
          .containsEntry("req_id", "r1").containsEntry("server_id", "fwapi0").containsEntry("value", Map.of("uuid", "u1"));

      server.close(); // FWAPI goes away: the client keeps trying
      await(() -> !client.isConnected());
      server.listen("127.0.0.1", port);
      await(() -> messages.clients().equals(List.of("cn-1")));
      messages.send("vm.delete", null, Map.of("uuid", "v1"));
      await(() -> got.size() == 2);
      assertThat(got.get(1)).containsEntry("name", "vm.delete");
      client.close();
      server.close();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void rawClient_seesSyncStateFirst_andUnknownMethodError() throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try (Socket s = new Socket()) {
      FastServer server = new FastServer(group);
      FastMessagesServer messages = new FastMessagesServer(server, "fwapi0");
      messages.send("ping", null, Map.of("ping_id", "p"));
      int port = server.listen("127.0.0.1", 0);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      write(out, 1, "{\"m\":{\"uts\":1,\"name\":\"messages\"},\"d\":[{\"client_id\":\"c\",\"version\":1}]}");
      Map<String, Object> state = read(in, 1);
      assertThat(state.get("d").toString()).contains("name=sync").contains("last_id=1").contains("server_id=fwapi0");
      write(out, 2, "{\"m\":{\"uts\":1,\"name\":\"nope\"},\"d\":[]}");
      Map<String, Object> err = read(in, 2);
      assertThat(((Map<?, ?>) err.get("d")).get("message")).isEqualTo("unsupported RPC method: \"nope\"");
      server.close();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static void write(DataOutputStream out, int id, String json) throws Exception {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    out.writeByte(1);
    out.writeByte(1);
    out.writeByte(1);
    out.writeInt(id);
    out.writeInt(FastCrc.v1(json));
    out.writeInt(b.length);
    out.write(b);
    out.flush();
  }

  private static Map<String, Object> read(DataInputStream in, int id) throws Exception {
    byte[] header = new byte[15];
    in.readFully(header);
    assertThat(header[0]).isEqualTo((byte) 1);
    assertThat(java.nio.ByteBuffer.wrap(header, 3, 4).getInt()).isEqualTo(id);
    byte[] body = new byte[java.nio.ByteBuffer.wrap(header, 11, 4).getInt()];
    in.readFully(body);
    return com.joyent.mockcloud.json.Json.parseObject(body);
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met in 10 s");
      }
      Thread.sleep(10);
    }
  }
}
