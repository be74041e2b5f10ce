// promcheck: checks Prometheus rule files the way `promtool check rules` does, with Prometheus's own rule-file
// parser (model/rulefmt, which parses every expression with the PromQL parser and every annotation and label
// template), so test/interop/alert-rules-promql.test.ts proves that deploy/prometheus-alerts.yml loads in Prometheus.
//
// Why not promtool itself: no Prometheus release binary can be fetched here (only the Go module proxy), and
// building cmd/promtool pulls every service-discovery client (Kubernetes, cloud SDKs): minutes of CPU in CI. This
// program links only the rule parser.
//
//	promcheck FILE...   prints "FILE: G groups, R rules" per file; exit status 1 and the parser's errors on stderr
//	                    when any file does not parse
package main

import (
	"fmt"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promcheck FILE...")
		os.Exit(2)
	}
	failed := false
	for _, file := range os.Args[1:] {
		// LegacyValidation: metric and label names of the classic character set, which every Prometheus accepts.
		groups, errs := rulefmt.ParseFile(file, false, model.LegacyValidation, parser.NewParser(parser.Options{}), nil)
		if len(errs) > 0 {
			failed = true
			for _, err := range errs {
				fmt.Fprintln(os.Stderr, err)
			}
			continue
		}
		rules := 0
		for _, group := range groups.Groups {
			rules += len(group.Rules)
		}
		fmt.Printf("%s: %d groups, %d rules\n", file, len(groups.Groups), rules)
	}
	if failed {
		os.Exit(1)
	}
}
