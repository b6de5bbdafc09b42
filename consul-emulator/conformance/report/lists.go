package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// readExpected reads expected-pass.txt: one test name per line; blank lines and # comments ignored.
func readExpected(path string) (map[string]bool, error) {
	names := map[string]bool{}
	err := eachLine(path, func(line string, n int) error {
		if strings.ContainsAny(line, " \t") {
			return fmt.Errorf("%s:%d: expected one test name, got %q", path, n, line)
		}
		names[line] = true
		return nil
	})
	return names, err
}

// readExcluded reads excluded.txt: "TestName reason..." per line; the reason is mandatory.
func readExcluded(path string) (map[string]string, error) {
	reasons := map[string]string{}
	err := eachLine(path, func(line string, n int) error {
		name, reason, ok := strings.Cut(line, " ")
		if !ok || strings.TrimSpace(reason) == "" {
			return fmt.Errorf("%s:%d: %s has no reason", path, n, name)
		}
		reasons[name] = strings.TrimSpace(reason)
		return nil
	})
	return reasons, err
}

func eachLine(path string, fn func(line string, n int) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
	return scanner.Err()
}
