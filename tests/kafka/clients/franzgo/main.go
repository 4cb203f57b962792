// franz-go (github.com/twmb/franz-go, kgo + kadm) against a running LKSTREAM listener.
//
//	franzgo-client scenario BOOTSTRAP
//	franzgo-client produce BOOTSTRAP TOPIC SPEC_FILE
//	franzgo-client dump BOOTSTRAP OUT_DIR COUNT TOPIC...
//
// "scenario" is the group scenario (KafkaClientCheck.java lists the steps) with kgo's
// defaults where they matter: an idempotent producer, the cooperative-sticky balancer. The
// "produce"/"dump" commands are the cross-client matrix steps (clients/record_lines.py).
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const partitions = 3

func check(ok bool, format string, args ...any) {
	if !ok {
		panic(fmt.Sprintf("check failed: "+format, args...))
	}
}

func must(err error, what string) {
	if err != nil {
		panic(what + ": " + err.Error())
	}
}

func waitUntil(done func() bool, step func(), seconds int, what string) {
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			panic("timed out: " + what)
		}
		step()
	}
}

// Kafka's Utils.murmur2 (seed 0x9747b28c).
func murmur2(data []byte) uint32 {
	const m, r = 0x5bd1e995, 24
	length := len(data)
	h := uint32(0x9747b28c) ^ uint32(length)
	for i := 0; i+4 <= length; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := length &^ 3
	switch length % 4 {
	case 3:
		h ^= uint32(data[tail+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[tail+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[tail])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

func kafkaPartition(key []byte) int32 { return int32((murmur2(key) & 0x7fffffff) % partitions) }

// A group member: a kgo client polled by the test, with its current assignment.
type member struct {
	cl       *kgo.Client
	mu       sync.Mutex
	assigned map[int32]bool
}

func newMember(bootstrap, group, topic, name string) *member {
	m := &member{assigned: map[int32]bool{}}
	update := func(ps map[string][]int32, add bool) {
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, p := range ps[topic] {
			if add {
				m.assigned[p] = true
			} else {
				delete(m.assigned, p)
			}
		}
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.ClientID(name),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(6*time.Second),
		kgo.HeartbeatInterval(500*time.Millisecond),
		kgo.FetchMaxWait(100*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { update(ps, true) }),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { update(ps, false) }),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { update(ps, false) }),
	)
	must(err, "consumer client")
	m.cl = cl
	return m
}

func (m *member) owned() []int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []int32
	for p := range m.assigned {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (m *member) poll() []*kgo.Record {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	fs := m.cl.PollFetches(ctx)
	for _, e := range fs.Errors() {
		if e.Err != context.DeadlineExceeded && e.Err != context.Canceled {
			panic(fmt.Sprintf("fetch error on %s-%d: %v", e.Topic, e.Partition, e.Err))
		}
	}
	return fs.Records()
}

func (m *member) commit(topic string, offsets map[int32]int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	eo := map[string]map[int32]kgo.EpochOffset{topic: {}}
	for p, o := range offsets {
		eo[topic][p] = kgo.EpochOffset{Epoch: -1, Offset: o}
	}
	var commitErr error
	m.cl.CommitOffsetsSync(ctx, eo, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			commitErr = err
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if p.ErrorCode != 0 && commitErr == nil {
					commitErr = fmt.Errorf("commit %s-%d: error code %d", t.Topic, p.Partition, p.ErrorCode)
				}
			}
		}
	})
	must(commitErr, "commit")
}

func scenario(bootstrap string) {
	const topic, group, n = "franzgo-orders", "franzgo-group", 10000
	ctx := context.Background()
	pcl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ClientID("franzgo-producer"),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(5*time.Millisecond))
	must(err, "producer client")
	defer pcl.Close()
	adm := kadm.NewClient(pcl)
	created, err := adm.CreateTopics(ctx, partitions, 1, nil, topic)
	must(err, "create topic")
	must(created[topic].Err, "create topic "+topic)

	recs := make([]*kgo.Record, 0, n)
	for i := 0; i < n; i++ {
		recs = append(recs, &kgo.Record{
			Topic:     topic,
			Key:       []byte(fmt.Sprintf("user-%d", i%97)),
			Value:     []byte(fmt.Sprintf("v%d", i)),
			Headers:   []kgo.RecordHeader{{Key: "seq", Value: []byte(strconv.Itoa(i))}},
			Timestamp: time.UnixMilli(1700000000000 + int64(i)),
		})
	}
	results := pcl.ProduceSync(ctx, recs...)
	must(results.FirstErr(), "produce")
	for _, r := range results {
		check(r.Record.Partition == kafkaPartition(r.Record.Key), "key %s on partition %d",
			r.Record.Key, r.Record.Partition)
	}

	c1 := newMember(bootstrap, group, topic, "c1")
	c2 := newMember(bootstrap, group, topic, "c2")
	seen := map[string]bool{}
	waitUntil(func() bool { return len(seen) == n && len(c1.owned()) > 0 && len(c2.owned()) > 0 }, func() {
		for _, c := range []*member{c1, c2} {
			for _, r := range c.poll() {
				check(r.Partition == kafkaPartition(r.Key), "record on the wrong partition")
				seen[fmt.Sprintf("%d:%d", r.Partition, r.Offset)] = true
			}
		}
	}, 120, "two consumers reading all records")

	endList, err := adm.ListEndOffsets(ctx, topic)
	must(err, "end offsets")
	ends := map[int32]int64{}
	total := int64(0)
	endList.Each(func(o kadm.ListedOffset) {
		must(o.Err, "end offset")
		ends[o.Partition] = o.Offset
		total += o.Offset
	})
	check(total == n, "end offsets add up to %d", total)
	for _, c := range []*member{c1, c2} {
		offs := map[int32]int64{}
		for _, p := range c.owned() {
			offs[p] = ends[p]
		}
		c.commit(topic, offs)
	}
	c2.cl.Close() // leaves the group
	waitUntil(func() bool { return len(c1.owned()) == partitions }, func() { c1.poll() }, 90,
		"partitions moving to c1")

	late := make([]*kgo.Record, 0, 300)
	for i := 0; i < 300; i++ {
		late = append(late, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("late-%d", i)), Value: []byte("late")})
	}
	must(pcl.ProduceSync(ctx, late...).FirstErr(), "produce late")
	var fresh []*kgo.Record
	waitUntil(func() bool { return len(fresh) >= 300 }, func() { fresh = append(fresh, c1.poll()...) }, 60,
		"c1 reading the new records")
	check(len(fresh) == 300, "c1 read %d new records", len(fresh))
	committed := map[int32]int64{}
	expect := int64(0)
	for p := int32(0); p < partitions; p++ {
		var offs []int64
		for _, r := range fresh {
			if r.Partition == p {
				offs = append(offs, r.Offset)
			}
		}
		sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
		check(len(offs) > 0, "new records on partition %d", p)
		check(offs[0] == ends[p], "partition %d resumed at %d, committed %d", p, offs[0], ends[p])
		committed[p] = offs[len(offs)/2]
		expect += offs[len(offs)-1] + 1 - committed[p]
	}
	c1.commit(topic, committed)
	c1.cl.Close()

	c3 := newMember(bootstrap, group, topic, "c3")
	var again []*kgo.Record
	waitUntil(func() bool { return int64(len(again)) >= expect }, func() { again = append(again, c3.poll()...) }, 90,
		"c3 resuming from the committed offsets")
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); {
		again = append(again, c3.poll()...)
	}
	check(int64(len(again)) == expect, "c3 read %d records, expected %d", len(again), expect)
	for p := int32(0); p < partitions; p++ {
		min := int64(-1)
		for _, r := range again {
			if r.Partition == p && (min < 0 || r.Offset < min) {
				min = r.Offset
			}
		}
		check(min == committed[p], "partition %d restarted at %d, committed %d", p, min, committed[p])
	}
	c3.cl.Close()
}

// ---- cross-client matrix ---------------------------------------------------------------

func enc(b []byte) string {
	if b == nil {
		return "-"
	}
	return "x" + hex.EncodeToString(b)
}

func dec(s string) []byte {
	if s == "-" {
		return nil
	}
	check(strings.HasPrefix(s, "x"), "bad field %q", s)
	b, err := hex.DecodeString(s[1:])
	must(err, "hex")
	if b == nil {
		b = []byte{}
	}
	return b
}

func produce(bootstrap, topic, spec string) {
	f, err := os.Open(spec)
	must(err, "spec")
	defer f.Close()
	var recs []*kgo.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		ts, err := strconv.ParseInt(fs[0], 10, 64)
		must(err, "timestamp")
		r := &kgo.Record{Topic: topic, Partition: 0, Key: dec(fs[1]), Value: dec(fs[2]),
			Timestamp: time.UnixMilli(ts)}
		if len(fs[3]) > 1 {
			for _, h := range strings.Split(fs[3][1:], ",") {
				kv := strings.Split(h, ":")
				r.Headers = append(r.Headers, kgo.RecordHeader{Key: string(dec(kv[0])), Value: dec(kv[1])})
			}
		}
		recs = append(recs, r)
	}
	// Uncompressed like every other client's matrix batches (kgo's default is snappy, which
	// kafkajs and the Python clients decode only with extra codec packages).
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerBatchCompression(kgo.NoCompression()))
	must(err, "producer client")
	defer cl.Close()
	must(cl.ProduceSync(context.Background(), recs...).FirstErr(), "produce")
}

func dump(bootstrap, outDir string, count int, topics []string) {
	parts := map[string]map[int32]kgo.Offset{}
	out := map[string][]string{}
	for _, t := range topics {
		parts[t] = map[int32]kgo.Offset{0: kgo.NewOffset().At(0)}
		out[t] = nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumePartitions(parts),
		kgo.FetchMaxWait(100*time.Millisecond))
	must(err, "consumer client")
	defer cl.Close()
	done := func() bool {
		for _, t := range topics {
			if len(out[t]) < count {
				return false
			}
		}
		return true
	}
	waitUntil(done, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		fs := cl.PollFetches(ctx)
		for _, e := range fs.Errors() {
			if e.Err != context.DeadlineExceeded {
				panic(fmt.Sprintf("fetch error on %s-%d: %v", e.Topic, e.Partition, e.Err))
			}
		}
		fs.EachRecord(func(r *kgo.Record) {
			hs := make([]string, 0, len(r.Headers))
			for _, h := range r.Headers {
				hs = append(hs, enc([]byte(h.Key))+":"+enc(h.Value))
			}
			out[r.Topic] = append(out[r.Topic], fmt.Sprintf("%d %d %s %s h%s", r.Offset,
				r.Timestamp.UnixMilli(), enc(r.Key), enc(r.Value), strings.Join(hs, ",")))
		})
	}, 60, "dumping")
	for _, t := range topics {
		lines := out[t][:count]
		must(os.WriteFile(filepath.Join(outDir, t+".txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644), "write")
	}
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: franzgo-client scenario|produce|dump BOOTSTRAP ...")
		os.Exit(2)
	}
	cmd, bootstrap := os.Args[1], os.Args[2]
	switch cmd {
	case "scenario":
		scenario(bootstrap)
	case "produce":
		produce(bootstrap, os.Args[3], os.Args[4])
	case "dump":
		count, err := strconv.Atoi(os.Args[4])
		must(err, "count")
		dump(bootstrap, os.Args[3], count, os.Args[5:])
	default:
		panic("unknown command " + cmd)
	}
	fmt.Println("ok franz-go " + cmd)
}
