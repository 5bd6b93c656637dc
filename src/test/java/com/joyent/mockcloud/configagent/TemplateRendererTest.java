package com.joyent.mockcloud.configagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateRendererTest {
  @Test
  void valuesRenderAsTheHoganForkDoes() throws Exception {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", "a<b>&\"c'");
    view.put("obj", new LinkedHashMap<>(Map.of("k", 1)));
    view.put("list", List.of("x", "y", 3));
    view.put("whole", 2.0);
    view.put("frac", 2.5);
    view.put("flag", true);
    assertThat(TemplateRenderer.render("{{name}}|{{{name}}}|{{&name}}", view))
        .isEqualTo("a&lt;b&gt;&amp;&quot;c&#39;|a<b>&\"c'|a<b>&\"c'");
    assertThat(TemplateRenderer.render("{{{obj}}} {{obj}}", view)).isEqualTo("{\"k\":1} {&quot;k&quot;:1}");
    assertThat(TemplateRenderer.render("{{{list}}}|{{whole}}|{{frac}}|{{flag}}", view)).isEqualTo("x,y,3|2|2.5|true");
    assertThat(TemplateRenderer.render("[{{missing}}]{{#flag}}on{{/flag}}{{^missing}}none{{/missing}}", view))
        .isEqualTo("[]onnone");
    assertThat(TemplateRenderer.render("{{#list}}<{{.}}>{{/list}}", view)).isEqualTo("<x><y><3>");
  }

  @Test
  void aBrokenTemplate_isARenderException() {
    assertThatThrownBy(() -> TemplateRenderer.render("{{#open}}never closed", Map.of()))
        .isInstanceOf(TemplateRenderer.RenderException.class);
  }

  @Test
  void manifestPaths_stayUnderTheAgentsRoot() {
    java.nio.file.Path agent = java.nio.file.Path.of("/srv/cn/agents/cn-agent");
    assertThat(ConfigFiles.target(agent, "/opt/smartdc/agents/etc/cn-agent.config.json"))
        .isEqualTo(agent.resolve("root/opt/smartdc/agents/etc/cn-agent.config.json"));
    assertThat(ConfigFiles.target(agent, "etc/x.conf")).isEqualTo(agent.resolve("root/etc/x.conf"));
    assertThat(ConfigFiles.target(agent, "/../../sysinfo.json")).isNull();
    assertThat(ConfigFiles.target(agent, "/")).isNull();
  }

  @Test
  void manifests_localOnesReplaceSapisByNameOrPath_firstSapiOneWinsAPath() {
    List<String> problems = new java.util.ArrayList<>();
    List<Object> sapi = List.of(
        Map.of("name", "a", "path", "/etc/a", "template", "A"),
        Map.of("name", "b", "path", "/etc/a", "template", "B"),
        Map.of("name", "c", "path", "/etc/c", "template", "C"),
        Map.of("name", "d", "path", "/etc/d", "template", "D"),
        Map.of("name", "broken"));
    List<Manifests.Manifest> local = List.of(new Manifests.Manifest("c", "/etc/c2", "C2", null),
        new Manifests.Manifest("e", "/etc/d", "E", "svcadm restart e"));
    assertThat(Manifests.resolve(sapi, local, problems)).extracting(Manifests.Manifest::name)
        .containsExactly("a", "c", "e");
    assertThat(problems).hasSize(1).first().asString().contains("without a string name");
  }
}
