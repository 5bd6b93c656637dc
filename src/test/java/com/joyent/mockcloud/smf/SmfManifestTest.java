package com.joyent.mockcloud.smf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The SMF manifests are well-formed and have what svccfg import needs (service_bundle.dtd.1 structure). */
class SmfManifestTest {
  private static Document parse(Path p) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    // The DTD lives on SmartOS; resolve it to nothing here, but keep the document checks strict.
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    DocumentBuilder b = f.newDocumentBuilder();
    b.setEntityResolver((pub, sys) -> new org.xml.sax.InputSource(new ByteArrayInputStream(new byte[0])));
    return b.parse(p.toFile());
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nl = parent.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) {
      if (nl.item(i) instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mockcloud.xml", "mockcloud-setup.xml"})
  void manifest_isWellFormedWithRequiredElements(String file) throws Exception {
    Path p = Path.of("smf/manifests", file);
    Document d = parse(p);
    assertThat(Files.readString(p)).contains("<!DOCTYPE service_bundle SYSTEM \"/usr/share/lib/xml/dtd/service_bundle.dtd.1\">");
    Element bundle = d.getDocumentElement();
    assertThat(bundle.getTagName()).isEqualTo("service_bundle");
    assertThat(bundle.getAttribute("type")).isEqualTo("manifest");
    assertThat(bundle.getAttribute("name")).isNotEmpty();
    List<Element> services = children(bundle, "service");
    assertThat(services).hasSize(1);
    Element svc = services.get(0);
    assertThat(svc.getAttribute("name")).startsWith("triton/mockcloud");
    assertThat(svc.getAttribute("type")).isEqualTo("service");
    assertThat(svc.getAttribute("version")).isEqualTo("1");
    assertThat(children(svc, "create_default_instance")).hasSize(1);
    List<String> methods = children(svc, "exec_method").stream().map(e -> e.getAttribute("name")).toList();
    assertThat(methods).contains("start", "stop");
    for (Element m : children(svc, "exec_method")) {
      assertThat(m.getAttribute("type")).isEqualTo("method");
      assertThat(m.getAttribute("exec")).isNotEmpty();
      assertThat(Integer.parseInt(m.getAttribute("timeout_seconds"))).isPositive();
      String exec = m.getAttribute("exec");
      if (exec.startsWith("/opt/triton/mockcloud/smf/method/")) {
        Path method = Path.of("smf/method", exec.substring(exec.lastIndexOf('/') + 1));
        assertThat(method).exists();
        assertThat(Files.isExecutable(method)).as(method + " is executable").isTrue();
      }
    }
    assertThat(children(svc, "stability")).hasSize(1);
    // Element order the DTD requires: dependencies before methods, stability before template.
    List<String> order = new ArrayList<>();
    NodeList nl = svc.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) {
      if (nl.item(i) instanceof Element e) {
        order.add(e.getTagName());
      }
    }
    assertThat(order.indexOf("create_default_instance")).isLessThan(order.indexOf("exec_method"));
    assertThat(order.lastIndexOf("dependency")).isLessThan(order.indexOf("exec_method"));
    assertThat(order.indexOf("stability")).isLessThan(order.indexOf("template"));
  }
}
