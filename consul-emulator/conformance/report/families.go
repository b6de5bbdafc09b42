package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// family groups the api module's tests by the source file that holds them: acl_test.go is "ACL".
type family struct {
	name     string
	required bool   // issue 4: every test of a required family must pass or be excluded with a reason
	consul   string // where Consul answers these endpoints (github.com/hashicorp/consul)
}

var familiesByFile = map[string]family{
	"acl":         {"ACL", true, "agent/acl_endpoint.go"},
	"agent":       {"Agent", true, "agent/agent_endpoint.go"},
	"catalog":     {"Catalog", true, "agent/catalog_endpoint.go"},
	"health":      {"Health", true, "agent/health_endpoint.go"},
	"kv":          {"KV", true, "agent/kvs_endpoint.go"},
	"txn":         {"Txn", true, "agent/txn_endpoint.go"},
	"session":     {"Session", true, "agent/session_endpoint.go"},
	"lock":        {"Lock", true, "agent/kvs_endpoint.go + agent/session_endpoint.go"},
	"semaphore":   {"Semaphore", true, "agent/kvs_endpoint.go + agent/session_endpoint.go"},
	"status":      {"Status", true, "agent/status_endpoint.go"},
	"coordinate":  {"Coordinate", true, "agent/coordinate_endpoint.go"},
	"raw":         {"Raw", true, "agent/http.go"},
	"snapshot":    {"Snapshot", true, "agent/snapshot_endpoint.go"},
	"api":         {"Client", false, "agent/http.go"},
	"connect_ca":  {"ConnectCA", false, "agent/connect_ca_endpoint.go"},
	"operator":    {"Operator", false, "agent/operator_endpoint.go"},
	"config":      {"ConfigEntry", false, "agent/config_endpoint.go"},
	"discovery":   {"ConfigEntry", false, "agent/discovery_chain_endpoint.go"},
	"connect_int": {"Intention", false, "agent/intentions_endpoint.go"},
	"peering":     {"Peering", false, "agent/peering_endpoint.go"},
	"prepared":    {"PreparedQuery", false, "agent/prepared_query_endpoint.go"},
	"debug":       {"Debug", false, "agent/agent_endpoint.go (pprof)"},
	"event":       {"Event", false, "agent/event_endpoint.go"},
	"internal":    {"Internal", false, "agent/catalog_endpoint.go (internal)"},
	"namespace":   {"Namespace", false, "enterprise only"},
}

// familyOf maps a test file name to its family by the longest matching key prefix.
func familyOf(file string) family {
	base := strings.TrimSuffix(filepath.Base(file), "_test.go")
	best := ""
	for key := range familiesByFile {
		if strings.HasPrefix(base, key) && len(key) > len(best) {
			best = key
		}
	}
	if best == "" {
		return family{name: "Other"}
	}
	return familiesByFile[best]
}

// testSource is where a test function is defined in the api module.
type testSource struct {
	file string
	line int
}

var testFunc = regexp.MustCompile(`^func (Test\w+)\(`)

// indexSources finds every top-level test function in the api module's *_test.go files.
func indexSources(apiDir string) (map[string]testSource, error) {
	files, err := filepath.Glob(filepath.Join(apiDir, "*_test.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no *_test.go files in %s", apiDir)
	}
	sources := map[string]testSource{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		scanner := bufio.NewScanner(f)
		for line := 1; scanner.Scan(); line++ {
			if m := testFunc.FindStringSubmatch(scanner.Text()); m != nil {
				sources[m[1]] = testSource{filepath.Base(path), line}
			}
		}
		f.Close()
	}
	return sources, nil
}

// sortedFamilies lists the families present in tests, required ones first, then by name.
func sortedFamilies(families map[string]family) []family {
	out := make([]family, 0, len(families))
	for _, f := range families {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].required != out[j].required {
			return out[i].required
		}
		return out[i].name < out[j].name
	})
	return out
}
