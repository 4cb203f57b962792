package main

// Scenario files (cases/*.txt): one case is a header line and its indented steps.
//
//	case NAME API VERSIONS      VERSIONS: minmax | min | max | 3,8 (API's versions to run at)
//	  API V JSON                a request: kmsg field names, V = @ (the case's version), max
//	                            (highest both servers and kmsg know) or a number
//	  & API V JSON              the same, sent on a second connection without waiting: its
//	                            response is read at the end of the case (a blocking JoinGroup)
//	  ready TOPIC PARTITIONS    wait (not compared) until both servers lead every partition
//	  raw HEX... [close]        bytes sent as they are (after $-expansion), then the answer or
//	                            the closing of the connection is observed; `close` half-closes
//	  absent TOPIC              wait (compared) until both servers no longer know the topic
//	  wait MS                   sleep, for session timeouts
//
// Placeholders: $t (a topic name unique to the expanded case), $g (a group id likewise),
// $v (the case's version), $str(N) (N letters), $batch(...) (a record batch, see batch.go),
// $subscription(T,...) (consumer JoinGroup metadata subscribing to topics T...), and values
// captured from earlier responses on the same server: $member, $member1.., $gen, $pid, $pepoch.

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type step struct {
	line    int
	kind    string // "request", "ready", "raw", "wait"
	async   bool
	api     int16
	version string
	body    string
	args    []string
}

type scenario struct {
	file     string
	line     int
	name     string
	api      int16
	versions string
	steps    []step
}

// expandedCase is one scenario at one version: what is run and counted.
type expandedCase struct {
	sc      *scenario
	version int16
	id      string // NAME vN
	prefix  string // unique name stem for topics and groups
}

var apiByName = map[string]int16{}

func init() {
	for k := int16(0); k < 100; k++ {
		if n := kmsgName(k); n != "Unknown" {
			apiByName[n] = k
		}
	}
}

func loadScenarios(dir string) ([]*scenario, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var all []*scenario
	names := map[string]string{}
	for _, f := range files {
		scs, err := parseScenarioFile(f)
		if err != nil {
			return nil, err
		}
		for _, sc := range scs {
			if prev, dup := names[sc.name]; dup {
				return nil, fmt.Errorf("%s:%d: case %s already defined at %s", f, sc.line, sc.name, prev)
			}
			names[sc.name] = fmt.Sprintf("%s:%d", f, sc.line)
			all = append(all, sc)
		}
	}
	return all, nil
}

func parseScenarioFile(path string) ([]*scenario, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []*scenario
	var cur *scenario
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	base := filepath.Base(path)
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", base, n)
		if strings.HasPrefix(line, "case ") {
			f := strings.Fields(line)
			if len(f) != 4 {
				return nil, fmt.Errorf("%s: want `case NAME API VERSIONS`", where)
			}
			api, ok := apiByName[f[2]]
			if !ok {
				return nil, fmt.Errorf("%s: unknown API %q", where, f[2])
			}
			cur = &scenario{file: base, line: n, name: f[1], api: api, versions: f[3]}
			out = append(out, cur)
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s: step outside a case", where)
		}
		st, err := parseStep(line)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		st.line = n
		cur.steps = append(cur.steps, st)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, s := range out {
		if len(s.steps) == 0 {
			return nil, fmt.Errorf("%s:%d: case %s has no steps", base, s.line, s.name)
		}
	}
	return out, nil
}

func parseStep(line string) (step, error) {
	var st step
	if strings.HasPrefix(line, "& ") {
		st.async = true
		line = strings.TrimSpace(line[2:])
	}
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "ready":
		st.kind = "ready"
		st.args = strings.Fields(rest)
		if len(st.args) != 2 {
			return st, fmt.Errorf("want `ready TOPIC PARTITIONS`")
		}
	case "absent":
		st.kind = "absent"
		st.args = strings.Fields(rest)
		if len(st.args) != 1 {
			return st, fmt.Errorf("want `absent TOPIC`")
		}
	case "raw":
		st.kind = "raw"
		st.args = strings.Fields(rest)
	case "wait":
		st.kind = "wait"
		st.args = strings.Fields(rest)
		if len(st.args) != 1 {
			return st, fmt.Errorf("want `wait MS`")
		}
	default:
		api, ok := apiByName[word]
		if !ok {
			return st, fmt.Errorf("unknown step %q", word)
		}
		st.kind = "request"
		st.api = api
		v, body, _ := strings.Cut(rest, " ")
		st.version = v
		st.body = strings.TrimSpace(body)
		if st.body == "" {
			st.body = "{}"
		}
	}
	if st.async && st.kind != "request" {
		return st, fmt.Errorf("only a request can be sent with &")
	}
	return st, nil
}

// versionsOf turns a case's VERSIONS word into the versions to run, from LKSTREAM's advertised
// range of the case's API (the suite tests what LKSTREAM claims).
func versionsOf(sc *scenario, ours map[int16][2]int16) ([]int16, error) {
	r, ok := ours[sc.api]
	switch sc.versions {
	case "minmax", "min", "max":
		if !ok {
			return nil, fmt.Errorf("case %s: LKSTREAM does not advertise %s", sc.name, kmsgName(sc.api))
		}
		switch sc.versions {
		case "min":
			return []int16{r[0]}, nil
		case "max":
			return []int16{r[1]}, nil
		}
		if r[0] == r[1] {
			return []int16{r[0]}, nil
		}
		return []int16{r[0], r[1]}, nil
	}
	var vs []int16
	for _, w := range strings.Split(sc.versions, ",") {
		v, err := strconv.Atoi(w)
		if err != nil {
			return nil, fmt.Errorf("case %s: bad version %q", sc.name, w)
		}
		vs = append(vs, int16(v))
	}
	return vs, nil
}
