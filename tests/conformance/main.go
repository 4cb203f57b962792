// Command conformance sends the scenarios of cases/*.txt to a real Apache Kafka and to
// LKSTREAM, compares the answers field by field, and writes docs/compatibility.md.
//
//	conformance -kafka HOST:PORT -lkstream HOST:PORT -cases DIR -declared FILE [-doc FILE]
//	            [-run REGEXP] [-j N]
//
// Exit status 0 when every difference is declared (known_differences.txt) and every
// declaration is still needed; 1 otherwise. Ends with "N passed, M failed".
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

var verbose *bool

type server struct {
	name     string
	addr     string
	versions map[int16][2]int16
}

type caseResult struct {
	ec       expandedCase
	diffs    []difference // undeclared
	declared []difference
	reasons  []*declared
	setupErr string
}

func main() {
	kafkaAddr := flag.String("kafka", "", "Apache Kafka bootstrap HOST:PORT")
	oursAddr := flag.String("lkstream", "", "LKSTREAM bootstrap HOST:PORT")
	casesDir := flag.String("cases", "cases", "directory of scenario files")
	declaredFile := flag.String("declared", "known_differences.txt", "declared differences")
	docFile := flag.String("doc", "", "write the compatibility page here")
	runRe := flag.String("run", "", "only cases whose NAME vN matches this regexp")
	jobs := flag.Int("j", 4, "cases run at once")
	verbose = flag.Bool("v", false, "print both servers' normalized answers of every step")
	absentFile := flag.String("absent-configs", "absent_configs.txt", "topic configs only one server has")
	kafkaVersion := flag.String("kafka-version", "4.4.0", "the Kafka version, for the page")
	flag.Parse()
	if *kafkaAddr == "" || *oursAddr == "" {
		fmt.Fprintln(os.Stderr, "usage: conformance -kafka HOST:PORT -lkstream HOST:PORT [options]")
		os.Exit(2)
	}
	start := time.Now()
	kafka := &server{name: "kafka", addr: *kafkaAddr}
	ours := &server{name: "lkstream", addr: *oursAddr}
	for _, s := range []*server{kafka, ours} {
		v, err := advertised(s.addr)
		if err != nil {
			fatal("ApiVersions from %s (%s): %v", s.name, s.addr, err)
		}
		s.versions = v
		if err := warmUp(s, true); err != nil {
			fatal("warming up %s (%s): %v", s.name, s.addr, err)
		}
	}
	scenarios, err := loadScenarios(*casesDir)
	if err != nil {
		fatal("%v", err)
	}
	absent, err = loadAbsentConfigs(*absentFile)
	if err != nil {
		fatal("%v", err)
	}
	decls, err := loadDeclared(*declaredFile)
	if err != nil {
		fatal("%v", err)
	}
	var filter *regexp.Regexp
	if *runRe != "" {
		filter = regexp.MustCompile(*runRe)
	}

	// Names unique to this run, so that a run against servers that already served one works.
	salt := strconv.FormatInt(time.Now().Unix()%(36*36*36), 36)
	var cases []expandedCase
	for _, sc := range scenarios {
		vs, err := versionsOf(sc, ours.versions)
		if err != nil {
			fatal("%s:%d: %v", sc.file, sc.line, err)
		}
		for _, v := range vs {
			id := fmt.Sprintf("%s v%d", sc.name, v)
			if filter != nil && !filter.MatchString(id) {
				continue
			}
			n := len(cases)
			cases = append(cases, expandedCase{sc: sc, version: v, id: id,
				prefix: fmt.Sprintf("cf%s-%03d-", salt, n)})
		}
	}
	// Every advertised API must be covered at its lowest and highest version.
	var coverageGaps []string
	if filter == nil {
		for key, r := range ours.versions {
			for _, v := range []int16{r[0], r[1]} {
				found := false
				for _, c := range cases {
					if c.sc.api == key && c.version == v {
						found = true
					}
				}
				if !found {
					coverageGaps = append(coverageGaps, fmt.Sprintf("%s v%d", kmsgName(key), v))
				}
			}
		}
		sort.Strings(coverageGaps)
	}

	results := make([]caseResult, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < *jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runCase(cases[i], kafka, ours, decls)
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()

	passed, failed := 0, 0
	for _, r := range results {
		switch {
		case len(r.diffs) > 0:
			failed++
			fmt.Printf("DIFFERS %s (%s:%d)\n", r.ec.id, r.ec.sc.file, r.ec.sc.line)
			for _, d := range r.diffs {
				fmt.Printf("  %s v%d %s: kafka=%s lkstream=%s\n", kmsgName(r.ec.sc.api), r.ec.version, d.path, d.kafka, d.ours)
			}
		case len(r.declared) > 0:
			passed++
			fmt.Printf("declared %s (%d known difference(s))\n", r.ec.id, len(r.declared))
		default:
			passed++
			fmt.Printf("ok       %s\n", r.ec.id)
		}
	}
	for _, g := range coverageGaps {
		failed++
		fmt.Printf("UNCOVERED %s: advertised by LKSTREAM, no case runs it\n", g)
	}
	if filter == nil {
		for _, d := range decls {
			if d.used == 0 {
				failed++
				fmt.Printf("STALE %s:%d: declared difference %q %q no longer occurs: remove it\n", *declaredFile, d.line, d.caseGlob, d.pathGlob)
			}
		}
	}
	elapsed := time.Since(start).Round(100 * time.Millisecond)
	fmt.Printf("%d cases against Apache Kafka %s in %s\n", len(cases), *kafkaVersion, elapsed)
	if *docFile != "" && filter == nil {
		if err := writeDoc(*docFile, *kafkaVersion, kafka, ours, results, decls); err != nil {
			fatal("writing %s: %v", *docFile, err)
		}
		fmt.Printf("wrote %s\n", *docFile)
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", args...)
	fmt.Println("0 passed, 1 failed")
	os.Exit(1)
}

func advertised(addr string) (map[int16][2]int16, error) {
	c := &conn{addr: addr}
	defer c.close()
	req := kmsg.NewPtrApiVersionsRequest()
	req.SetVersion(3)
	req.ClientSoftwareName = "lkstream-conformance"
	req.ClientSoftwareVersion = "1"
	t := c.roundTrip(req, 10*time.Second)
	b, _ := json.Marshal(t)
	var resp kmsg.ApiVersionsResponse
	if err := json.Unmarshal(b, &resp); err != nil || resp.ErrorCode != 0 {
		return nil, fmt.Errorf("unexpected answer %s", show(t))
	}
	out := map[int16][2]int16{}
	for _, k := range resp.ApiKeys {
		out[k.ApiKey] = [2]int16{k.MinVersion, k.MaxVersion}
	}
	return out, nil
}

// side runs one case's steps against one server, keeping that server's captured values.
type side struct {
	srv   *server
	main  *conn
	async []*pending
	vars  map[string]string
	nmem  int
}

type pending struct {
	c    *conn
	req  kmsg.Request
	done chan any
}

func runCase(ec expandedCase, kafka, ours *server, decls []*declared) caseResult {
	res := caseResult{ec: ec}
	var obs [2][]any
	var wg sync.WaitGroup
	for i, s := range []*server{kafka, ours} {
		wg.Add(1)
		go func(i int, s *server) {
			defer wg.Done()
			obs[i] = runSide(ec, s, kafka, ours)
		}(i, s)
	}
	wg.Wait()
	nk, no := newNormalizer(ec.prefix), newNormalizer(ec.prefix)
	for si, st := range ec.sc.steps {
		for i, o := range []any{obs[0][si], obs[1][si]} {
			if m, ok := o.(map[string]any); ok && m["CaseError"] != nil {
				res.diffs = append(res.diffs, difference{fmt.Sprintf("step%d", si+1),
					"the case itself is wrong", fmt.Sprintf("(%s) %v", []string{"kafka", "lkstream"}[i], m["CaseError"])})
			}
		}
		if *verbose {
			fmt.Printf("%s step%d raw\n  kafka:    %s\n  lkstream: %s\n", ec.id, si+1, show(obs[0][si]), show(obs[1][si]))
		}
		a := nk.normalize("", topicIDs(obs[0][si]))
		b := no.normalize("", topicIDs(obs[1][si]))
		var diffs []difference
		label := fmt.Sprintf("step%d", si+1)
		if st.kind == "request" {
			label += "." + kmsgName(st.api)
		} else {
			label += "." + st.kind
		}
		if *verbose {
			fmt.Printf("%s %s\n  kafka:    %s\n  lkstream: %s\n", ec.id, label, show(a), show(b))
		}
		diffTrees(label, a, b, &diffs)
	next:
		for _, d := range diffs {
			for _, decl := range decls {
				if decl.matches(ec.id, d) {
					decl.used++
					res.declared = append(res.declared, d)
					res.reasons = append(res.reasons, decl)
					continue next
				}
			}
			res.diffs = append(res.diffs, d)
		}
	}
	return res
}

func runSide(ec expandedCase, s, kafka, ours *server) []any {
	sd := &side{srv: s, main: &conn{addr: s.addr}, vars: map[string]string{
		"member": "", "gen": "-1", "pid": "-1", "pepoch": "-1",
	}}
	defer sd.main.close()
	out := make([]any, len(ec.sc.steps))
	for i, st := range ec.sc.steps {
		out[i] = sd.run(ec, st, kafka, ours)
	}
	for _, p := range sd.async {
		idx := -1
		for i := range ec.sc.steps {
			if out[i] == any(p) {
				idx = i
			}
		}
		r := <-p.done
		p.c.close()
		if idx >= 0 {
			out[idx] = r
		}
		sd.capture(r)
	}
	return out
}

var varRe = regexp.MustCompile(`\$([a-z]+[0-9]*)`)
var topicOrGroup = regexp.MustCompile(`^[tg][0-9]*$`)
var strRe = regexp.MustCompile(`\$str\(([0-9]+)\)`)
var batchRe = regexp.MustCompile(`"\$batch\(([^)]*)\)"`)
var subscriptionRe = regexp.MustCompile(`"\$subscription\(([^)]*)\)"`)

// consumerSubscription is a ConsumerProtocolSubscription v0 (version, topics, null user
// data), the JoinGroup metadata of a consumer subscribed to `topics`, as base64 for JSON.
func consumerSubscription(topics []string) string {
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(topics)))
	for _, t := range topics {
		b = binary.BigEndian.AppendUint16(b, uint16(len(t)))
		b = append(b, t...)
	}
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)
	return base64.StdEncoding.EncodeToString(b)
}

func (sd *side) expand(ec expandedCase, text string) (string, error) {
	var bad error
	// $str(N): N letters, for names and metadata past a length limit.
	text = strRe.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(strRe.FindStringSubmatch(m)[1])
		return strings.Repeat("a", n)
	})
	text = varRe.ReplaceAllStringFunc(text, func(m string) string {
		name := m[1:]
		switch name {
		case "batch", "str", "subscription":
			return m
		case "v":
			return strconv.Itoa(int(ec.version))
		}
		if v, ok := sd.vars[name]; ok {
			return v
		}
		if topicOrGroup.MatchString(name) { // $t, $t2, $g, $g2: names of this case
			return ec.prefix + name
		}
		bad = fmt.Errorf("unknown placeholder %s", m)
		return m
	})
	if bad != nil {
		return "", bad
	}
	// $subscription(T1,T2...): consumer JoinGroup metadata naming those topics.
	text = subscriptionRe.ReplaceAllStringFunc(text, func(m string) string {
		topics := strings.Split(subscriptionRe.FindStringSubmatch(m)[1], ",")
		return `"` + consumerSubscription(topics) + `"`
	})
	text = batchRe.ReplaceAllStringFunc(text, func(m string) string {
		spec, err := parseBatchSpec(batchRe.FindStringSubmatch(m)[1])
		if err != nil {
			bad = err
			return m
		}
		b, _ := json.Marshal(spec.encode())
		return string(b)
	})
	return text, bad
}

func (sd *side) version(ec expandedCase, word string, api int16, kafka, ours *server) (int16, error) {
	switch word {
	case "@":
		return ec.version, nil
	case "max":
		v := ours.versions[api][1]
		if k := kafka.versions[api][1]; k < v {
			v = k
		}
		if m := kmsg.RequestForKey(api).MaxVersion(); m < v {
			v = m
		}
		return v, nil
	}
	n, err := strconv.Atoi(word)
	return int16(n), err
}

func (sd *side) run(ec expandedCase, st step, kafka, ours *server) any {
	switch st.kind {
	case "wait":
		ms, _ := strconv.Atoi(st.args[0])
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return nil
	case "absent":
		topic, _ := sd.expand(ec, st.args[0])
		return sd.waitAbsent(topic)
	case "ready":
		topic, _ := sd.expand(ec, st.args[0])
		n, _ := strconv.Atoi(st.args[1])
		return sd.waitReady(topic, n)
	case "raw":
		var data []byte
		half := false
		for _, a := range st.args {
			if a == "close" {
				half = true
				continue
			}
			b, err := hex.DecodeString(a)
			if err != nil {
				return map[string]any{"CaseError": err.Error()}
			}
			data = append(data, b...)
		}
		return sd.main.rawExchange(data, half)
	}
	v, err := sd.version(ec, st.version, st.api, kafka, ours)
	if err != nil {
		return map[string]any{"CaseError": err.Error()}
	}
	body, err := sd.expand(ec, st.body)
	if err != nil {
		return map[string]any{"CaseError": err.Error()}
	}
	req, err := newRequest(st.api, v, body)
	if err != nil {
		return map[string]any{"CaseError": err.Error()}
	}
	timeout := 15 * time.Second
	if st.async {
		p := &pending{c: &conn{addr: sd.srv.addr}, req: req, done: make(chan any, 1)}
		go func() { p.done <- p.c.roundTrip(req, 60*time.Second) }()
		sd.async = append(sd.async, p)
		time.Sleep(300 * time.Millisecond) // let the server take the request in before the next step
		return p
	}
	if st.api == 11 { // JoinGroup waits for the rebalance
		timeout = 60 * time.Second
	}
	r := sd.main.roundTrip(req, timeout)
	sd.capture(r)
	return r
}

// capture keeps the values later steps refer to: the member id a JoinGroup assigned, the
// generation, and the producer id and epoch from InitProducerId.
func (sd *side) capture(r any) {
	m, ok := r.(map[string]any)
	if !ok {
		return
	}
	if id, ok := m["MemberID"].(string); ok && id != "" {
		if sd.vars["member"] != id {
			known := false
			for i := 1; i <= sd.nmem; i++ {
				if sd.vars["member"+strconv.Itoa(i)] == id {
					known = true
				}
			}
			if !known {
				sd.nmem++
				sd.vars["member"+strconv.Itoa(sd.nmem)] = id
			}
		}
		sd.vars["member"] = id
	}
	for k, name := range map[string]string{"Generation": "gen", "ProducerID": "pid", "ProducerEpoch": "pepoch"} {
		if n, ok := m[k].(json.Number); ok {
			sd.vars[name] = n.String()
		}
	}
}

// waitReady polls Metadata until the topic has n partitions, each with a leader. Its answer is
// compared too: "ready" or "not ready".
func (sd *side) waitReady(topic string, n int) any {
	c := &conn{addr: sd.srv.addr}
	defer c.close()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, ok := topicMetadata(c, topic, 1)
		if ok && resp.Topics[0].ErrorCode == 0 && len(resp.Topics[0].Partitions) == n {
			ok := true
			for _, p := range resp.Topics[0].Partitions {
				if p.ErrorCode != 0 || p.Leader < 0 {
					ok = false
				}
			}
			if ok && leadsAll(c, topic, n) {
				return map[string]any{"Ready": true}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return map[string]any{"Ready": false}
}

// waitAbsent polls Metadata until the topic is unknown (a deletion has reached the broker's
// metadata; Kafka applies it asynchronously). Compared: "absent" or not.
func (sd *side) waitAbsent(topic string) any {
	c := &conn{addr: sd.srv.addr}
	defer c.close()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, ok := topicMetadata(c, topic, 4); ok && resp.Topics[0].ErrorCode == 3 {
			return map[string]any{"Absent": true}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return map[string]any{"Absent": false}
}

// topicMetadata asks Metadata (at `version`) for one topic; ok when the answer has exactly that
// topic.
func topicMetadata(c *conn, topic string, version int16) (kmsg.MetadataResponse, bool) {
	req := kmsg.NewPtrMetadataRequest()
	req.SetVersion(version)
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, t)
	b, _ := json.Marshal(c.roundTrip(req, 10*time.Second))
	var resp kmsg.MetadataResponse
	ok := json.Unmarshal(b, &resp) == nil && len(resp.Topics) == 1
	return resp, ok
}

// leadsAll asks ListOffsets for every partition: Kafka's metadata can name a leader a moment
// before that replica serves requests (NOT_LEADER_OR_FOLLOWER).
func leadsAll(c *conn, topic string, n int) bool {
	req := kmsg.NewPtrListOffsetsRequest()
	req.SetVersion(1)
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = topic
	for p := 0; p < n; p++ {
		part := kmsg.NewListOffsetsRequestTopicPartition()
		part.Partition = int32(p)
		part.Timestamp = -1
		t.Partitions = append(t.Partitions, part)
	}
	req.Topics = append(req.Topics, t)
	b, _ := json.Marshal(c.roundTrip(req, 10*time.Second))
	var resp kmsg.ListOffsetsResponse
	if json.Unmarshal(b, &resp) != nil || len(resp.Topics) != 1 {
		return false
	}
	for _, p := range resp.Topics[0].Partitions {
		if p.ErrorCode != 0 {
			return false
		}
	}
	return len(resp.Topics[0].Partitions) == n
}

// warmUp waits until a server's group and producer-id services answer without a retriable
// error (Kafka loads its internal topics lazily after start). Nothing here is compared.
func warmUp(s *server, transactions bool) error {
	c := &conn{addr: s.addr}
	defer c.close()
	deadline := time.Now().Add(90 * time.Second)
	for _, mk := range []func() kmsg.Request{
		func() kmsg.Request {
			r := kmsg.NewPtrFindCoordinatorRequest()
			r.SetVersion(1)
			r.CoordinatorKey = "conformance-warm-up"
			return r
		},
		func() kmsg.Request {
			r := kmsg.NewPtrInitProducerIDRequest()
			r.SetVersion(0)
			r.TransactionTimeoutMillis = 60000
			return r
		},
		txnWarmUp(transactions),
		txnInitWarmUp(transactions),
	} {
		if mk == nil {
			continue
		}
		for {
			t := c.roundTrip(mk(), 10*time.Second)
			m, _ := t.(map[string]any)
			if n, ok := m["ErrorCode"].(json.Number); ok && n.String() == "0" {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("still not ready: %s", show(t))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}

// absent_configs.txt: `kafka-only NAME` or `lkstream-only NAME`, one a line.
func loadAbsentConfigs(path string) ([]absentConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []absentConfig
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || (f[0] != "kafka-only" && f[0] != "lkstream-only") {
			return nil, fmt.Errorf("%s:%d: want `kafka-only NAME` or `lkstream-only NAME`", path, n+1)
		}
		out = append(out, absentConfig{side: f[0], name: f[1]})
	}
	return out, nil
}

// txnWarmUp: Kafka creates its transaction state topic on the first transactional
// FindCoordinator and answers COORDINATOR_NOT_AVAILABLE until it is loaded; txnInitWarmUp: even
// then its first transactional InitProducerId may still get NOT_COORDINATOR for a moment.
func txnInitWarmUp(wanted bool) func() kmsg.Request {
	if !wanted {
		return nil
	}
	return func() kmsg.Request {
		r := kmsg.NewPtrInitProducerIDRequest()
		r.SetVersion(0)
		id := "conformance-warm-up"
		r.TransactionalID = &id
		r.TransactionTimeoutMillis = 60000
		return r
	}
}

func txnWarmUp(wanted bool) func() kmsg.Request {
	if !wanted {
		return nil
	}
	return func() kmsg.Request {
		r := kmsg.NewPtrFindCoordinatorRequest()
		r.SetVersion(1)
		r.CoordinatorKey = "conformance-warm-up"
		r.CoordinatorType = 1
		return r
	}
}

// known_differences.txt: `CASE-GLOB | FIELD-GLOB | reason`, one a line.
func loadDeclared(path string) ([]*declared, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []*declared
	sc := bufio.NewScanner(fh)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 || strings.TrimSpace(parts[2]) == "" {
			return nil, fmt.Errorf("%s:%d: want `CASE-GLOB | FIELD-GLOB | reason`", path, n)
		}
		d := &declared{caseGlob: strings.TrimSpace(parts[0]), pathGlob: strings.TrimSpace(parts[1]),
			reason: strings.TrimSpace(parts[2]), line: n}
		if p, cond, ok := strings.Cut(d.pathGlob, " when "); ok {
			d.pathGlob = strings.TrimSpace(p)
			side, val, ok := strings.Cut(strings.TrimSpace(cond), "=")
			if !ok || (side != "kafka" && side != "lkstream") {
				return nil, fmt.Errorf("%s:%d: want `FIELD-GLOB when kafka=VALUE` or `when lkstream=VALUE`", path, n)
			}
			d.whenSide, d.whenValue = side, val
		}
		d.caseRe, d.pathRe = globRe(d.caseGlob), globRe(d.pathGlob)
		out = append(out, d)
	}
	return out, sc.Err()
}
