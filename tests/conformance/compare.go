package main

// What may differ between two correct servers, and the field-by-field comparison of the rest.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// normalizer rewrites one server's answers so that only what must differ is hidden. Aliases
// (member and producer ids) are per server and per case, so structure still counts: the leader
// of a group must be the member that joined, on both sides.
type normalizer struct {
	prefix    string // names of the case's own topics and groups start with it
	members   map[string]string
	producers map[string]string
}

func newNormalizer(prefix string) *normalizer {
	return &normalizer{prefix: prefix, members: map[string]string{}, producers: map[string]string{}}
}

// The normalizations, listed on docs/compatibility.md by normalizationRules.
var (
	dropKeys    = map[string]bool{"ThrottleMillis": true, "UnknownTags": true}
	nodeKeys    = map[string]bool{"NodeID": true, "ControllerID": true, "Leader": true, "Replicas": true, "ISR": true, "OfflineReplicas": true}
	addrKeys    = map[string]bool{"Host": true, "Port": true}
	memberKeys  = map[string]bool{"MemberID": true, "LeaderID": true}
	presenceKey = map[string]bool{"ClusterID": true, "ErrorMessage": true}
)

var normalizationRules = []string{
	"`ThrottleMillis`: not compared (each server throttles by its own quotas).",
	"Node ids (`NodeID`, `ControllerID`, `Leader`, `Replicas`, `ISR`, `OfflineReplicas`): any id >= 0 reads `<node>`; -1 is compared.",
	"`Host` and `Port` of brokers and coordinators: not compared (each server has its own address).",
	"`ClusterID`: compared as set or null, not by value.",
	"`TopicID`: compared as zero or set, not by value.",
	"Member ids (`MemberID`, `LeaderID`): replaced by `member1`, `member2`... in order of appearance within the case, on each server, so that which member is the leader is still compared.",
	"`ProducerID`: replaced by `producer1`... in the same way; -1 is compared.",
	"Timestamps (fields named `*Timestamp*` or `LogAppendTime`): a value within a day of now (a reading of the server's clock) reads `<time>`; -1 and the times the cases give their records (2023) are compared.",
	"`ErrorMessage`: compared as set or null. The text is free-form and differs between any two implementations; the error code next to it is compared.",
	"Topic configs only one server has (`absent_configs.txt`, listed below): left out of DescribeConfigs answers.",
	"Topics and groups of other cases: a broker-wide listing (Metadata for all topics, ListGroups) is cut to the case's own topics and groups, since the suite runs every case against the same two servers.",
	"Order of topics, partitions, groups and config entries in a list: sorted by name or partition index before comparing (Kafka answers Produce, among others, in hash map order, which no client relies on).",
	"Record batches in Fetch: decoded (header fields, CRC validity, records) and compared field by field.",
}

func (n *normalizer) alias(m map[string]string, stem, v string) string {
	if a, ok := m[v]; ok {
		return a
	}
	a := fmt.Sprintf("%s%d", stem, len(m)+1)
	m[v] = a
	return a
}

func (n *normalizer) normalize(key string, v any) any {
	switch x := v.(type) { // decoded record batches hold Go integers
	case int, int16, int32, int64:
		v = json.Number(fmt.Sprint(x))
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if dropKeys[k] {
				continue
			}
			out[k] = n.normalize(k, val)
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			if !n.inScope(e) {
				continue
			}
			out = append(out, n.normalize(key, e))
		}
		if out == nil && x != nil {
			out = []any{}
		}
		sortByName(out)
		return out
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return x
		}
		switch {
		case nodeKeys[key] && i >= 0:
			return "<node>"
		case addrKeys[key]:
			return "<addr>"
		case key == "ProducerID" && i >= 0:
			return n.alias(n.producers, "producer", x.String())
		case (strings.Contains(key, "Timestamp") || key == "LogAppendTime") && isClockReading(i):
			return "<time>"
		}
		return x
	case string:
		switch {
		case addrKeys[key]:
			return "<addr>"
		case memberKeys[key] && x != "":
			return n.alias(n.members, "member", x)
		case presenceKey[key]:
			return "<set>"
		}
		return x
	case nil:
		return nil
	}
	return v
}

// isClockReading tells a time the server took from its clock (within a day of now) from one a
// case chose (the suite's records are stamped in 2023).
func isClockReading(ms int64) bool {
	now := time.Now().UnixMilli()
	return ms > now-86400000 && ms < now+86400000
}

// sortByName orders a list of topics or partitions by name or index: Kafka answers Produce (and
// others) in hash map order, which no client relies on.
func sortByName(items []any) {
	key := func(e any) (string, bool) {
		m, ok := e.(map[string]any)
		if !ok {
			return "", false
		}
		for _, k := range []string{"Topic", "Group", "Name", "MemberID"} {
			if t, ok := m[k].(string); ok {
				return t, true
			}
		}
		if p, ok := m["Partition"].(json.Number); ok {
			return fmt.Sprintf("%012s", p.String()), true
		}
		return "", false
	}
	numbers := true // a list of bare numbers (partition indexes): Kafka lists a transaction's
	// partitions from a hash set (DescribeTransactions), in no order a client relies on
	for _, e := range items {
		if _, ok := e.(json.Number); !ok {
			numbers = false
		}
	}
	if numbers {
		sort.SliceStable(items, func(i, j int) bool {
			a, _ := items[i].(json.Number).Int64()
			b, _ := items[j].(json.Number).Int64()
			return a < b
		})
		return
	}
	for _, e := range items {
		if _, ok := key(e); !ok {
			return
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, _ := key(items[i])
		b, _ := key(items[j])
		return a < b
	})
}

type absentConfig struct{ side, name string }

// absent holds the topic configs that only one server has (absent_configs.txt).
var absent []absentConfig

func isAbsentConfig(name string) bool {
	for _, a := range absent {
		if a.name == name {
			return true
		}
	}
	return false
}

// inScope drops, from listings, the topics and groups that belong to other cases.
func (n *normalizer) inScope(e any) bool {
	m, ok := e.(map[string]any)
	if !ok {
		return true
	}
	if name, ok := m["Name"].(string); ok && m["ReadOnly"] != nil && isAbsentConfig(name) {
		return false // a DescribeConfigs entry for a config only one server has
	}
	for _, k := range []string{"Topic", "Group"} {
		if s, ok := m[k].(string); ok && !strings.HasPrefix(s, n.prefix) && isListing(m) {
			return false
		}
	}
	return true
}

// isListing tells a listed topic or group (something the broker reports on its own) from one
// named in the request: only the former may be dropped. Metadata topics carry Partitions,
// ListGroups entries carry ProtocolType (DescribeGroups ones carry Members too).
func isListing(m map[string]any) bool {
	_, parts := m["IsInternal"]
	_, proto := m["ProtocolType"]
	_, members := m["Members"]
	return parts || (proto && !members)
}

// topicIDs rewrites every TopicID ([16]byte in kmsg's JSON) to "<zero>" or "<set>".
func topicIDs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "TopicID" {
				if arr, ok := val.([]any); ok {
					zero := true
					for _, b := range arr {
						if b.(json.Number).String() != "0" {
							zero = false
						}
					}
					x[k] = map[bool]string{true: "<zero>", false: "<set>"}[zero]
					continue
				}
			}
			x[k] = topicIDs(val)
		}
	case []any:
		for i := range x {
			x[i] = topicIDs(x[i])
		}
	}
	return v
}

type difference struct {
	path        string
	kafka, ours string
}

func show(v any) string {
	if v == nil {
		return "null"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if len(s) > 300 && !*verbose {
		s = s[:300] + "..."
	}
	return s
}

func diffTrees(p string, a, b any, out *[]difference) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, difference{p, show(a), show(b)})
			return
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			diffTrees(join(p, k), x[k], y[k], out)
		}
	case []any:
		y, ok := b.([]any)
		if !ok {
			*out = append(*out, difference{p, show(a), show(b)})
			return
		}
		if len(x) != len(y) {
			*out = append(*out, difference{p + ".length", strconv.Itoa(len(x)), strconv.Itoa(len(y))})
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			diffTrees(p+"["+strconv.Itoa(i)+"]", x[i], y[i], out)
		}
	default:
		if show(a) != show(b) {
			*out = append(*out, difference{p, show(a), show(b)})
		}
	}
}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// A declared (deliberate or known) difference: cases matching caseGlob, fields matching
// pathGlob, and why. `*` matches any run of characters, dots and brackets included.
type declared struct {
	caseGlob, pathGlob, reason string
	line                       int
	caseRe, pathRe             *regexp.Regexp
	used                       int
	whenSide, whenValue        string // only where that server answered this value
}

func globRe(g string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i, part := range strings.Split(g, "*") {
		if i > 0 {
			b.WriteString(".*")
		}
		b.WriteString(regexp.QuoteMeta(part))
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (d *declared) matches(caseID string, diff difference) bool {
	if !d.caseRe.MatchString(caseID) || !d.pathRe.MatchString(diff.path) {
		return false
	}
	switch d.whenSide {
	case "kafka":
		return diff.kafka == d.whenValue
	case "lkstream":
		return diff.ours == d.whenValue
	}
	return true
}
