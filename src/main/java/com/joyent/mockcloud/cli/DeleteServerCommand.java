package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.server.ServerCreator;
import com.joyent.mockcloud.server.ServerDeleter;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.triton.UserAgent;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code delete-server <uuid>...}: removes mock CNs from disk and from CNAPI, NAPI and VMAPI. */
@Command(name = "delete-server", mixinStandardHelpOptions = true,
    description = "Delete mock CNs: clean up CNAPI, NAPI (incl. the admin NIC) and VMAPI, then remove the directory.")
public final class DeleteServerCommand implements Callable<Integer> {
  @Mixin SettingsOptions options;

  @Parameters(arity = "1..*", paramLabel = "UUID", description = "server UUIDs to delete")
  List<String> uuids;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    List<UUID> parsed = new ArrayList<>();
    for (String u : uuids) {
      parsed.add(ServerCreator.parseUuid(u)); // before any path is built from it
    }
    Settings settings = options.settings();
    ServerRoot root = new ServerRoot(settings.root());
    PrintWriter err = spec.commandLine().getErr();
    TritonApis apis = TritonApis.standalone(settings);
    String ua = UserAgent.tool("delete-server");
    ServerDeleter deleter = new ServerDeleter(root, apis.cnapi(ua), apis.napi(ua), apis.vmapi(ua),
        msg -> {
          err.println("> " + msg);
          err.flush();
        });
    for (UUID u : parsed) {
      if (!deleter.exists(u)) {
        throw new IllegalArgumentException("no server " + u + " under " + root.serversDir());
      }
    }
    for (UUID u : parsed) {
      deleter.delete(u);
      err.println("deleted server: " + u);
      err.flush();
    }
    return 0;
  }
}
