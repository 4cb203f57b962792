package main

// One Kafka connection: requests framed and responses decoded by franz-go's kmsg, so that
// LKSTREAM's own codec is never on both sides of a comparison.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func kmsgName(k int16) string { return kmsg.NameForKey(k) }

type conn struct {
	addr string
	c    net.Conn
	corr int32
}

var formatter = kmsg.NewRequestFormatter(kmsg.FormatterClientID("lkstream-conformance"))

func (c *conn) ensure() error {
	if c.c != nil {
		return nil
	}
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return err
	}
	c.c = nc
	return nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// readFrame reads one size-prefixed frame. A closed connection and silence are answers too:
// they come back as the strings "closed" and "no answer".
func (c *conn) readFrame(timeout time.Duration) ([]byte, string) {
	c.c.SetReadDeadline(time.Now().Add(timeout))
	var size [4]byte
	if _, err := io.ReadFull(c.c, size[:]); err != nil {
		return nil, c.failure(err)
	}
	n := int32(binary.BigEndian.Uint32(size[:]))
	if n < 4 || n > 256<<20 {
		c.close()
		return nil, fmt.Sprintf("bad frame size %d", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.c, body); err != nil {
		return nil, c.failure(err)
	}
	return body, ""
}

func (c *conn) failure(err error) string {
	c.close()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer"
	}
	return "closed"
}

// roundTrip sends req and returns the observed answer as a JSON-like tree.
func (c *conn) roundTrip(req kmsg.Request, timeout time.Duration) any {
	if err := c.ensure(); err != nil {
		return map[string]any{"Connection": "refused"}
	}
	c.corr++
	frame := formatter.AppendRequest(nil, req, c.corr)
	c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(frame); err != nil {
		c.close()
		return map[string]any{"Connection": "closed"}
	}
	body, fail := c.readFrame(timeout)
	if fail != "" {
		return map[string]any{"Connection": fail}
	}
	if got := int32(binary.BigEndian.Uint32(body)); got != c.corr {
		c.close()
		return map[string]any{"CorrelationMismatch": fmt.Sprintf("sent %d, got %d", c.corr, got)}
	}
	body = body[4:]
	if req.IsFlexible() && req.Key() != 18 { // response header v1; ApiVersions keeps v0 (KIP-511)
		body = skipTags(body)
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	err := resp.ReadFrom(body)
	if req.Key() == 18 && (err != nil || resp.(*kmsg.ApiVersionsResponse).ErrorCode == 35) {
		// An unsupported ApiVersions version is answered in v0 format (KIP-511).
		v0 := kmsg.NewPtrApiVersionsResponse()
		if err0 := v0.ReadFrom(body); err0 == nil {
			resp, err = v0, nil
		}
	}
	if err != nil {
		return map[string]any{"Undecodable": hex.EncodeToString(body)}
	}
	return toTree(resp)
}

func skipTags(b []byte) []byte {
	n, w := binary.Uvarint(b)
	if w <= 0 {
		return b
	}
	b = b[w:]
	for i := uint64(0); i < n; i++ {
		_, w := binary.Uvarint(b)
		if w <= 0 {
			return b
		}
		b = b[w:]
		l, w := binary.Uvarint(b)
		if w <= 0 || int(l) > len(b)-w {
			return b
		}
		b = b[w+int(l):]
	}
	return b
}

// rawExchange sends bytes as they are and reports what comes back: the connection closing,
// silence, or a response (its correlation id and first two body bytes, the error code of most
// APIs and of Kafka's error answers).
func (c *conn) rawExchange(data []byte, halfClose bool) any {
	if err := c.ensure(); err != nil {
		return map[string]any{"Connection": "refused"}
	}
	c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(data); err != nil {
		c.close()
		return map[string]any{"Connection": "closed"}
	}
	if halfClose {
		c.c.(*net.TCPConn).CloseWrite()
	}
	body, fail := c.readFrame(5 * time.Second)
	if fail != "" {
		return map[string]any{"Connection": fail}
	}
	obs := map[string]any{"Connection": "answered", "CorrelationID": int32(binary.BigEndian.Uint32(body))}
	if len(body) >= 6 {
		obs["FirstInt16"] = int16(binary.BigEndian.Uint16(body[4:6]))
	}
	c.close() // a raw exchange leaves the connection in an unknown state
	return obs
}

// toTree turns a kmsg response into maps, slices, strings, json.Numbers and bools, with the
// record bytes of Fetch decoded (decodeRecords).
func toTree(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"Unencodable": err.Error()}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var t any
	if err := d.Decode(&t); err != nil {
		return map[string]any{"Unencodable": err.Error()}
	}
	return decodeRecordFields(t)
}

func decodeRecordFields(t any) any {
	switch x := t.(type) {
	case map[string]any:
		for k, v := range x {
			if s, ok := v.(string); ok && (k == "Records" || k == "RecordBatches") {
				raw, err := base64.StdEncoding.DecodeString(s)
				if err == nil {
					x[k] = decodeRecords(raw)
				}
				continue
			}
			x[k] = decodeRecordFields(v)
		}
	case []any:
		for i := range x {
			x[i] = decodeRecordFields(x[i])
		}
	}
	return t
}

// newRequest builds API key at version from JSON whose keys are kmsg's field names. Unlike plain
// json.Unmarshal, every nested struct starts from kmsg's Default() (Kafka's schema defaults,
// e.g. -1 for a fetch partition's leader epoch), so a case spells out only what it is about.
func newRequest(key, version int16, body string) (kmsg.Request, error) {
	req := kmsg.RequestForKey(key)
	if req == nil {
		return nil, fmt.Errorf("kmsg has no request for key %d", key)
	}
	if d, ok := req.(interface{ Default() }); ok {
		d.Default()
	}
	req.SetVersion(version)
	if err := fill(reflect.ValueOf(req).Elem(), json.RawMessage(body)); err != nil {
		return nil, err
	}
	req.SetVersion(version)
	return req, nil
}

func fill(v reflect.Value, raw json.RawMessage) error {
	switch v.Kind() {
	case reflect.Struct:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("%s: %v", v.Type().Name(), err)
		}
		for k, val := range m {
			f := fieldByName(v, k)
			if !f.IsValid() {
				return fmt.Errorf("%s has no field %s", v.Type().Name(), k)
			}
			if err := fill(f, val); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Struct {
			return json.Unmarshal(raw, v.Addr().Interface())
		}
		if string(raw) == "null" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return err
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, it := range items {
			e := s.Index(i)
			if d, ok := e.Addr().Interface().(interface{ Default() }); ok {
				d.Default()
			}
			if err := fill(e, it); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	default:
		// Enums such as ConfigResourceType read names ("TOPIC"); a number sets the value itself,
		// so that a case can send one Kafka does not define.
		if k := v.Kind(); k >= reflect.Int && k <= reflect.Int64 {
			var n int64
			if json.Unmarshal(raw, &n) == nil {
				v.SetInt(n)
				return nil
			}
		}
		return json.Unmarshal(raw, v.Addr().Interface())
	}
}

func fieldByName(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if strings.EqualFold(t.Field(i).Name, name) {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func warnf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
