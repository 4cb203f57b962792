package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func tree(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGlobMatchesLeadingTrailingAndInnerStars(t *testing.T) {
	for _, c := range []struct {
		glob, s string
		want    bool
	}{
		{"*.ErrorCode", "step1.Produce.Topics[0].Partitions[0].ErrorCode", true},
		{"*.ErrorCode", "step1.Produce.ErrorMessage", false},
		{"init-producer-id/transactional* v*", "init-producer-id/transactional-bad-timeout v1", true},
		{"create-topics/ok v0", "create-topics/ok v4", false},
		{"*", "", true},
	} {
		if got := globRe(c.glob).MatchString(c.s); got != c.want {
			t.Errorf("glob %q on %q: got %v", c.glob, c.s, got)
		}
	}
}

func TestDiffReportsPathAndBothValues(t *testing.T) {
	var out []difference
	diffTrees("step1", tree(t, `{"A":[{"E":0},{"E":3}],"B":"x"}`), tree(t, `{"A":[{"E":0},{"E":0}],"B":"x","C":1}`), &out)
	if len(out) != 2 || out[0].path != "step1.A[1].E" || out[0].kafka != "3" || out[0].ours != "0" ||
		out[1].path != "step1.C" || out[1].kafka != "null" {
		t.Fatalf("unexpected differences %+v", out)
	}
}

func TestNormalizationKeepsWhatMustMatch(t *testing.T) {
	a := newNormalizer("cfx-001-")
	b := newNormalizer("cfx-001-")
	// Different node ids, ports, member ids and throttle times normalize to the same tree...
	ka := a.normalize("", tree(t, `{"ThrottleMillis":5,"NodeID":1,"Port":9092,"MemberID":"m-1","LeaderID":"m-1","ErrorCode":0}`))
	kb := b.normalize("", tree(t, `{"ThrottleMillis":0,"NodeID":7,"Port":1234,"MemberID":"x","LeaderID":"x","ErrorCode":0}`))
	var out []difference
	diffTrees("", ka, kb, &out)
	if len(out) != 0 {
		t.Fatalf("expected no difference, got %+v", out)
	}
	// ...but an error code, a -1 node, or a leader that is another member do not.
	c := newNormalizer("cfx-001-")
	kc := c.normalize("", tree(t, `{"NodeID":-1,"Port":1,"MemberID":"x","LeaderID":"y","ErrorCode":15}`))
	out = nil
	diffTrees("", ka, kc, &out)
	if len(out) != 3 {
		t.Fatalf("expected 3 differences, got %+v", out)
	}
}

func TestListingsAreCutToTheCaseButNamedTopicsAreNot(t *testing.T) {
	n := newNormalizer("cfx-001-")
	got := n.normalize("", tree(t, `{"Topics":[{"Topic":"cfx-002-t","IsInternal":false},{"Topic":"cfx-001-t","IsInternal":false},{"Topic":"other","ErrorCode":3}]}`))
	topics := got.(map[string]any)["Topics"].([]any)
	if len(topics) != 2 {
		t.Fatalf("want the case's listed topic and the named one, got %v", topics)
	}
}

func TestDeclarationWithValueCondition(t *testing.T) {
	d := &declared{caseRe: globRe("*"), pathRe: globRe("*.ErrorMessage"), whenSide: "kafka", whenValue: "null"}
	if !d.matches("x v1", difference{"s.ErrorMessage", "null", `"<set>"`}) {
		t.Error("should match where Kafka answered null")
	}
	if d.matches("x v1", difference{"s.ErrorMessage", `"<set>"`, "null"}) {
		t.Error("must not match where LKSTREAM answered null")
	}
}

func TestRecordBatchRoundTrip(t *testing.T) {
	spec, err := parseBatchSpec("n=3,pid=7,epoch=1,seq=4")
	if err != nil {
		t.Fatal(err)
	}
	batches := decodeRecords(spec.encode()).([]any)
	if len(batches) != 1 {
		t.Fatalf("want one batch, got %v", batches)
	}
	h := batches[0].(map[string]any)
	if h["CRCValid"] != true || h["NumRecords"] != int32(3) || h["ProducerID"] != int64(7) ||
		h["BaseSequence"] != int32(4) || len(h["Records"].([]any)) != 3 {
		t.Fatalf("unexpected batch %v", h)
	}
	spec.badCRC = true
	if decodeRecords(spec.encode()).([]any)[0].(map[string]any)["CRCValid"] != false {
		t.Fatal("crc=bad must give a batch whose CRC does not check")
	}
}
