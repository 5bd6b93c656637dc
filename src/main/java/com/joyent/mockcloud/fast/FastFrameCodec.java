package com.joyent.mockcloud.fast;

import com.joyent.mockcloud.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * node-fast's framing (docs/reference/fast-protocol.md §1): a 15-byte header — version 1, type 1
 * (JSON), status, message id, CRC and payload length, all big-endian — then the JSON text. The
 * decoder checks the header before the payload is in, as node-fast does, and refuses a payload
 * over {@link #MAX_PAYLOAD} (node-fast has no cap; a mock CN must not be made to buffer without end).
 */
final class FastFrameCodec extends ByteToMessageCodec<FastFrame> {
  static final int HEADER = 15;
  static final int MAX_PAYLOAD = 16 << 20;

  @Override
  protected void encode(ChannelHandlerContext ctx, FastFrame frame, ByteBuf out) {
    String text = Json.compact(frame.payload());
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeByte(1);
    out.writeByte(1);
    out.writeByte(frame.status());
    out.writeInt((int) frame.msgid());
    out.writeInt(FastCrc.v1(text));
    out.writeInt(bytes.length);
    out.writeBytes(bytes);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < HEADER) {
      return;
    }
    int at = in.readerIndex();
    int version = in.getUnsignedByte(at);
    if (version != 1) {
      throw new FastProtocolException("unsupported version " + version);
    }
    int type = in.getUnsignedByte(at + 1);
    if (type != 1) {
      throw new FastProtocolException("unsupported type 0x" + Integer.toHexString(type));
    }
    int status = in.getUnsignedByte(at + 2);
    if (status < FastFrame.DATA || status > FastFrame.ERROR) {
      throw new FastProtocolException("unsupported status 0x" + Integer.toHexString(status));
    }
    long msgid = in.getUnsignedInt(at + 3);
    if (msgid > FastFrame.MAX_MSGID) {
      throw new FastProtocolException("invalid msgid " + msgid);
    }
    long crc = in.getUnsignedInt(at + 7);
    long length = in.getUnsignedInt(at + 11);
    if (length > MAX_PAYLOAD) {
      throw new FastProtocolException("message of " + length + " bytes is over the limit of " + MAX_PAYLOAD);
    }
    if (in.readableBytes() < HEADER + length) {
      return;
    }
    String text = in.toString(at + HEADER, (int) length, StandardCharsets.UTF_8);
    in.skipBytes(HEADER + (int) length);
    int actual = FastCrc.v1(text);
    if (actual != crc) {
      throw new FastProtocolException("expected CRC " + crc + ", found " + actual);
    }
    out.add(new FastFrame(status, msgid, payload(status, text)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> payload(int status, String text) {
    Object parsed;
    try {
      parsed = Json.MAPPER.readValue(text, Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FastProtocolException("invalid JSON payload: " + e.getOriginalMessage());
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new FastProtocolException("message data must be a non-null object");
    }
    Object d = map.get("d");
    if (status == FastFrame.ERROR) {
      if (!(d instanceof Map<?, ?> err) || !(err.get("name") instanceof String) || !(err.get("message") instanceof String)) {
        throw new FastProtocolException("error message must have an object \"d\" with string \"name\" and \"message\"");
      }
    } else if (!(d instanceof List<?>)) {
      throw new FastProtocolException("data or end message must have an array \"d\"");
    }
    return (Map<String, Object>) map;
  }
}
