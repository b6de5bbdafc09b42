package dev.selat.emulator.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FilterTest {
  private static final JsonNode ENTRY = tree("""
      {"Service": {"Service": "web", "Tags": ["v1", "primary"], "Port": 8080, "Meta": {"env": "prod"}},
       "Node": {"Node": "n1", "Meta": {}},
       "Checks": [{"CheckID": "serfHealth", "Status": "passing"}, {"CheckID": "svc", "Status": "warning"}]}
      """);

  private static JsonNode tree(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Service.Service == web | true",
      "Service.Service != web | false",
      "Service.Port == 8080 | true",
      "v1 in Service.Tags | true",
      "v2 not in Service.Tags | true",
      "Service.Tags contains primary | true",
      "Service.Tags not contains primary | false",
      "Service.Meta.env == prod | true",
      "Service.Meta[\"env\"] == \"prod\" | true",
      "Service.Service matches \"^w.b$\" | true",
      "Service.Service not matches \"^x\" | true",
      "Node.Meta is empty | true",
      "Service.Tags is not empty | true",
      "Checks.Status == warning | true",
      "Checks.Status == critical | false",
      "Service.Service == web and not (Service.Port == 9090) | true",
      "Service.Service == db or Service.Port == 8080 | true",
      "Service.Service == db or (Service.Port == 8080 and v9 in Service.Tags) | false",
      "Missing.Field is empty | true",
  })
  void matches_expression_evaluatesOnItemJson(String expression, boolean expected) {
    assertThat(Filter.parse(expression).matches(ENTRY)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Service.Service ==", "Service.Service ~ web", "(Service.Port == 1", "== web",
      "\"web\" == Service.Service", "Service.Service matches \"(\"", "Service..Service == x", "Service.Port > 1"})
  void parse_outsideTheSubset_failsWithMessage(String expression) {
    assertThatThrownBy(() -> Filter.parse(expression)).isInstanceOf(FilterException.class)
        .hasMessageStartingWith("Failed to create boolean expression evaluator");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void parse_blank_matchesEverything(String expression) {
    assertThat(Filter.parse(expression).matchesAll()).isTrue();
  }
}
