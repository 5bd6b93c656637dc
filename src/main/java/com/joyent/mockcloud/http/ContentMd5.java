package com.joyent.mockcloud.http;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The {@code content-md5} header restify's JSON client puts on every body (restify servers
 * check it). One digest per thread: looking the algorithm up per request showed in profiles.
 */
public final class ContentMd5 {
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JRE", e);
    }
  });

  private ContentMd5() {}

  /** Base64 of the MD5 of {@code body}. */
  public static String of(byte[] body) {
    MessageDigest md = MD5.get();
    md.reset();
    return Base64.getEncoder().encodeToString(md.digest(body));
  }
}
