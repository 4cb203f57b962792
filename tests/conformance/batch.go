package main

// Record batches for Produce requests, and their decoding in Fetch responses. Written here from
// the Kafka record format (KIP-98), not taken from LKSTREAM's codec.

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// batchSpec is $batch(k=v,...): n records (default 1) "k<i>"/"v<i>" or values of `value` bytes,
// producer id/epoch/first sequence (default -1), magic 0, 1 or 2, crc=bad to corrupt the CRC,
// ts the first timestamp (records i at ts+i), txn=1 for a transactional batch (attributes bit 4).
type batchSpec struct {
	txn          bool
	n, valueSize int
	pid          int64
	epoch        int16
	seq          int32
	magic        int
	badCRC       bool
	ts           int64
}

func parseBatchSpec(args string) (batchSpec, error) {
	b := batchSpec{n: 1, pid: -1, epoch: -1, seq: -1, magic: 2, ts: 1700000000000}
	if strings.TrimSpace(args) == "" {
		return b, nil
	}
	for _, kv := range strings.Split(args, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if k == "crc" && v == "bad" {
			b.badCRC = true
			continue
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return b, fmt.Errorf("$batch: %s=%q is not a number", k, v)
		}
		switch k {
		case "txn":
			b.txn = x != 0
		case "n":
			b.n = int(x)
		case "value":
			b.valueSize = int(x)
		case "pid":
			b.pid = x
		case "epoch":
			b.epoch = int16(x)
		case "seq":
			b.seq = int32(x)
		case "magic":
			b.magic = int(x)
		case "ts":
			b.ts = x
		default:
			return b, fmt.Errorf("$batch: unknown argument %q", k)
		}
	}
	return b, nil
}

func (b batchSpec) value(i int) []byte {
	if b.valueSize > 0 {
		v := make([]byte, b.valueSize)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		return v
	}
	return []byte("v" + strconv.Itoa(i))
}

func appendVarint(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

func appendVarBytes(dst, b []byte) []byte {
	if b == nil {
		return appendVarint(dst, -1)
	}
	return append(appendVarint(dst, int64(len(b))), b...)
}

func (b batchSpec) encode() []byte {
	if b.magic < 2 {
		return b.encodeLegacy()
	}
	var recs []byte
	for i := 0; i < b.n; i++ {
		var r []byte
		r = append(r, 0)                                   // attributes
		r = appendVarint(r, int64(i))                      // timestamp delta
		r = appendVarint(r, int64(i))                      // offset delta
		r = appendVarBytes(r, []byte("k"+strconv.Itoa(i))) // key
		r = appendVarBytes(r, b.value(i))
		r = appendVarint(r, 0) // headers
		recs = appendVarint(recs, int64(len(r)))
		recs = append(recs, r...)
	}
	// Header: base offset (8), length (4), partition leader epoch (4), magic (1), crc (4),
	// attributes (2), last offset delta (4), first/max timestamp (8+8), producer id (8),
	// producer epoch (2), base sequence (4), record count (4); the CRC covers attributes..end.
	var attributes uint16
	if b.txn {
		attributes = 0x10
	}
	body := binary.BigEndian.AppendUint16(nil, attributes)
	body = binary.BigEndian.AppendUint32(body, uint32(b.n-1))
	body = binary.BigEndian.AppendUint64(body, uint64(b.ts))
	body = binary.BigEndian.AppendUint64(body, uint64(b.ts+int64(b.n-1)))
	body = binary.BigEndian.AppendUint64(body, uint64(b.pid))
	body = binary.BigEndian.AppendUint16(body, uint16(b.epoch))
	body = binary.BigEndian.AppendUint32(body, uint32(b.seq))
	body = binary.BigEndian.AppendUint32(body, uint32(b.n))
	body = append(body, recs...)
	crc := crc32.Checksum(body, castagnoli)
	if b.badCRC {
		crc ^= 0xdeadbeef
	}
	out := binary.BigEndian.AppendUint64(nil, 0)
	out = binary.BigEndian.AppendUint32(out, uint32(4+1+4+len(body)))
	out = binary.BigEndian.AppendUint32(out, 0xffffffff) // partition leader epoch -1
	out = append(out, 2)
	out = binary.BigEndian.AppendUint32(out, crc)
	return append(out, body...)
}

// encodeLegacy writes a message set of magic 0 or 1 messages: offset (8), size (4), crc (4),
// magic (1), attributes (1), [timestamp (8) for magic 1], key (int32-length bytes), value.
func (b batchSpec) encodeLegacy() []byte {
	var out []byte
	for i := 0; i < b.n; i++ {
		msg := []byte{byte(b.magic), 0}
		if b.magic == 1 {
			msg = binary.BigEndian.AppendUint64(msg, uint64(b.ts+int64(i)))
		}
		key := []byte("k" + strconv.Itoa(i))
		msg = binary.BigEndian.AppendUint32(msg, uint32(len(key)))
		msg = append(msg, key...)
		v := b.value(i)
		msg = binary.BigEndian.AppendUint32(msg, uint32(len(v)))
		msg = append(msg, v...)
		crc := crc32.ChecksumIEEE(msg)
		if b.badCRC {
			crc ^= 0xdeadbeef
		}
		out = binary.BigEndian.AppendUint64(out, uint64(i))
		out = binary.BigEndian.AppendUint32(out, uint32(4+len(msg)))
		out = binary.BigEndian.AppendUint32(out, crc)
		out = append(out, msg...)
	}
	return out
}

// decodeRecords turns the Records bytes of a Fetch response into comparable fields: every
// batch's header (CRC checked, not shown) and its records. A cut-off batch at the end (a
// broker may return one when max bytes run out) is shown as such.
func decodeRecords(b []byte) any {
	var batches []any
	for len(b) > 0 {
		if len(b) < 12 {
			batches = append(batches, map[string]any{"Partial": len(b)})
			break
		}
		size := int(int32(binary.BigEndian.Uint32(b[8:12])))
		if size < 0 || len(b) < 12+size {
			batches = append(batches, map[string]any{"Partial": len(b)})
			break
		}
		batches = append(batches, decodeBatch(b[:12+size]))
		b = b[12+size:]
	}
	return batches
}

func decodeBatch(b []byte) any {
	base := int64(binary.BigEndian.Uint64(b))
	if len(b) < 17 {
		return map[string]any{"BaseOffset": base, "Malformed": true}
	}
	magic := int(b[16])
	if magic < 2 {
		return map[string]any{"Offset": base, "Magic": magic, "Bytes": len(b)}
	}
	if len(b) < 61 {
		return map[string]any{"BaseOffset": base, "Malformed": true}
	}
	crcOK := crc32.Checksum(b[21:], castagnoli) == binary.BigEndian.Uint32(b[17:21])
	attrs := binary.BigEndian.Uint16(b[21:23])
	h := map[string]any{
		"BaseOffset":           base,
		"PartitionLeaderEpoch": int32(binary.BigEndian.Uint32(b[12:16])),
		"Magic":                magic,
		"CRCValid":             crcOK,
		"Attributes":           int(attrs),
		"LastOffsetDelta":      int32(binary.BigEndian.Uint32(b[23:27])),
		"FirstTimestamp":       int64(binary.BigEndian.Uint64(b[27:35])),
		"MaxTimestamp":         int64(binary.BigEndian.Uint64(b[35:43])),
		"ProducerID":           int64(binary.BigEndian.Uint64(b[43:51])),
		"ProducerEpoch":        int16(binary.BigEndian.Uint16(b[51:53])),
		"BaseSequence":         int32(binary.BigEndian.Uint32(b[53:57])),
		"NumRecords":           int32(binary.BigEndian.Uint32(b[57:61])),
	}
	if attrs&0x7 == 0 { // uncompressed: the records are readable as they are
		h["Records"] = decodeRecordList(b[61:])
	}
	return h
}

func decodeRecordList(b []byte) any {
	var recs []any
	for len(b) > 0 {
		n, w := binary.Varint(b)
		if w <= 0 || n < 0 || int(n) > len(b)-w {
			return append(recs, "malformed")
		}
		r := b[w : w+int(n)]
		b = b[w+int(n):]
		if len(r) < 1 {
			return append(recs, "malformed")
		}
		rec := map[string]any{}
		r = r[1:]
		fields := []string{"TimestampDelta", "OffsetDelta"}
		for _, f := range fields {
			v, w := binary.Varint(r)
			if w <= 0 {
				return append(recs, "malformed")
			}
			rec[f] = v
			r = r[w:]
		}
		for _, f := range []string{"Key", "Value"} {
			l, w := binary.Varint(r)
			if w <= 0 || int(l) > len(r)-w {
				return append(recs, "malformed")
			}
			r = r[w:]
			if l < 0 {
				rec[f] = nil
				continue
			}
			rec[f] = string(r[:l])
			r = r[l:]
		}
		hn, w := binary.Varint(r)
		if w <= 0 {
			return append(recs, "malformed")
		}
		rec["Headers"] = hn
		recs = append(recs, rec)
	}
	return recs
}
