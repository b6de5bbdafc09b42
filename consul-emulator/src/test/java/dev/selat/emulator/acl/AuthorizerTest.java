package dev.selat.emulator.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private static Authorizer deny(String... rules) {
    return Authorizer.of("t", false, java.util.Arrays.stream(rules).map(Rules::parse).toList());
  }

  @Test
  void parse_hclWithEveryRuleShape_readsEachRule() {
    Rules r = Rules.parse("""
        # comment
        key_prefix "" { policy = "read" }
        key "secret/x" { policy = "deny" }
        service "web" {
          policy = "write"
        }
        node_prefix "" { policy = "read" }
        session_prefix "" { policy = "write" }
        agent "n1" { policy = "read" }
        operator = "read"
        """);
    assertThat(r.rules()).hasSize(7);
    assertThat(r.rules()).contains(new Rules.Rule(Resource.OPERATOR, "", false, Access.READ),
        new Rules.Rule(Resource.KEY, "", true, Access.READ));
  }

  @Test
  void parse_jsonForm_equalsHclForm() {
    Rules hcl = Rules.parse("key_prefix \"app/\" { policy = \"write\" }\noperator = \"read\"");
    Rules json = Rules.parse("{\"key_prefix\": {\"app/\": {\"policy\": \"write\"}}, \"operator\": \"read\"}");
    assertThat(json).isEqualTo(hcl);
  }

  @Test
  void parse_listOnService_isRejectedNamingTheRule() {
    assertThatThrownBy(() -> Rules.parse("service \"web\" { policy = \"list\" }"))
        .isInstanceOf(AclRulesException.class).hasMessageContaining("service \"web\"");
  }

  @Test
  void parse_unknownResource_isRejected() {
    assertThatThrownBy(() -> Rules.parse("spaceship \"x\" { policy = \"read\" }"))
        .hasMessageContaining("unknown rule \"spaceship\"");
  }

  @Test
  void allowed_longestPrefixWins_andExactBeatsPrefix() {
    Authorizer a = deny("key_prefix \"\" { policy = \"read\" }", "key_prefix \"app/\" { policy = \"write\" }",
        "key_prefix \"app/locked/\" { policy = \"deny\" }", "key \"app/locked/open\" { policy = \"write\" }");
    assertThat(a.allowed(Resource.KEY, "other", Access.READ)).isTrue();
    assertThat(a.allowed(Resource.KEY, "other", Access.WRITE)).isFalse();
    assertThat(a.allowed(Resource.KEY, "app/x", Access.WRITE)).isTrue();
    assertThat(a.allowed(Resource.KEY, "app/locked/y", Access.READ)).isFalse();
    assertThat(a.allowed(Resource.KEY, "app/locked/open", Access.WRITE)).isTrue();
  }

  @Test
  void allowed_samePrefixInTwoPolicies_denyWins() {
    Authorizer a = deny("service_prefix \"\" { policy = \"write\" }", "service_prefix \"\" { policy = \"deny\" }");
    assertThat(a.allowed(Resource.SERVICE, "web", Access.READ)).isFalse();
  }

  @Test
  void allowed_unmatched_followsDefaultPolicyButNeverAclManagement() {
    Authorizer allow = Authorizer.of("t", true, List.of());
    assertThat(allow.allowed(Resource.SERVICE, "web", Access.WRITE)).isTrue();
    assertThat(allow.allowed(Resource.ACL, "", Access.READ)).isFalse();
    assertThat(deny().allowed(Resource.SERVICE, "web", Access.READ)).isFalse();
  }

  @Test
  void allowedKeyWritePrefix_readOnlyKeyBelow_isDenied() {
    Authorizer a = deny("key_prefix \"app/\" { policy = \"write\" }", "key \"app/ro\" { policy = \"read\" }");
    assertThat(a.allowedKeyWritePrefix("app/")).isFalse();
    assertThat(a.allowedKeyWritePrefix("app/rw/")).isTrue();
  }
}
