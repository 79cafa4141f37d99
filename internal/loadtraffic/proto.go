package loadtraffic

import (
	"encoding/binary"
	"math/bits"
	"time"
)

// Field numbers and wire types of the OTLP messages written below
// (opentelemetry-proto: collector/trace/v1, trace/v1, common/v1,
// resource/v1).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2

	fRequestResourceSpans = 1 // ExportTraceServiceRequest
	fResourceSpansRes     = 1 // ResourceSpans
	fResourceSpansScope   = 2
	fResourceAttributes   = 1 // Resource
	fScopeSpansScope      = 1 // ScopeSpans
	fScopeSpansSpans      = 2
	fScopeName            = 1 // InstrumentationScope
	fScopeVersion         = 2
	fSpanTraceID          = 1 // Span
	fSpanSpanID           = 2
	fSpanName             = 5
	fSpanKind             = 6
	fSpanStart            = 7
	fSpanEnd              = 8
	fSpanAttributes       = 9
	fSpanStatus           = 15
	fStatusCode           = 3 // Status
	fKeyValueKey          = 1 // KeyValue
	fKeyValueValue        = 2
	fAnyString            = 1 // AnyValue
	fAnyInt               = 3

	spanKindServer  = 2
	statusCodeError = 2
)

// AppendRequest appends the protobuf encoding of the next request of the
// stream, the ExportTraceServiceRequest that Request's traces marshal to,
// to b. The load generator sends these bytes as they are: a request costs
// it the draws and one pass of copying, not a pdata tree and its
// marshalling (docs/BENCHMARKS.md).
func (s *Stream) AppendRequest(b []byte, n int, now time.Time) []byte {
	draws := s.draw(n, now)
	if s.head == nil {
		s.head = s.appendHead(nil)
		s.scope = appendString(appendString(nil, fScopeName, scopeName), fScopeVersion, scopeVersion)
	}
	spansLen := 0
	sizes := s.sizes[:0]
	for i := range draws {
		sizes = append(sizes, draws[i].size())
		spansLen += fieldLen(fScopeSpansSpans, sizes[i])
	}
	s.sizes = sizes
	ssLen := fieldLen(fScopeSpansScope, len(s.scope)) + spansLen
	rsLen := len(s.head) + fieldLen(fResourceSpansScope, ssLen)
	b = appendTag(b, fRequestResourceSpans, wireBytes)
	b = binary.AppendUvarint(b, uint64(rsLen))
	b = append(b, s.head...)
	b = appendTag(b, fResourceSpansScope, wireBytes)
	b = binary.AppendUvarint(b, uint64(ssLen))
	b = appendBytes(b, fScopeSpansScope, s.scope)
	for i := range draws {
		b = appendTag(b, fScopeSpansSpans, wireBytes)
		b = binary.AppendUvarint(b, uint64(sizes[i]))
		b = draws[i].append(b)
	}
	return b
}

// appendHead appends the stream's resource field, the same in each request.
func (s *Stream) appendHead(b []byte) []byte {
	var res []byte
	for _, at := range s.resourceAttrs() {
		res = appendTag(res, fResourceAttributes, wireBytes)
		res = binary.AppendUvarint(res, uint64(at.size()))
		res = at.append(res)
	}
	return appendBytes(b, fResourceSpansRes, res)
}

// size is the length of the span's Span message.
func (d *spanDraw) size() int {
	n := fieldLen(fSpanTraceID, len(d.traceID)) + fieldLen(fSpanSpanID, len(d.spanID)) +
		fieldLen(fSpanName, len(d.name)) + tagLen(fSpanKind) + varintLen(spanKindServer) +
		2*(tagLen(fSpanStart)+8) + d.attrsLen
	return n + fieldLen(fSpanStatus, d.statusSize())
}

func (d *spanDraw) statusSize() int {
	if !d.failed {
		return 0
	}
	return tagLen(fStatusCode) + varintLen(statusCodeError)
}

// append appends the Span message, its fields in field number order as
// pdata writes them (an empty status included).
func (d *spanDraw) append(b []byte) []byte {
	b = appendBytes(b, fSpanTraceID, d.traceID[:])
	b = appendBytes(b, fSpanSpanID, d.spanID[:])
	b = appendString(b, fSpanName, d.name)
	b = appendTag(b, fSpanKind, wireVarint)
	b = binary.AppendUvarint(b, spanKindServer)
	b = appendTag(b, fSpanStart, wireFixed64)
	b = binary.LittleEndian.AppendUint64(b, uint64(d.start))
	b = appendTag(b, fSpanEnd, wireFixed64)
	b = binary.LittleEndian.AppendUint64(b, uint64(d.end))
	for i := range d.nattrs {
		at := &d.attrs[i]
		b = appendTag(b, fSpanAttributes, wireBytes)
		b = binary.AppendUvarint(b, uint64(at.kvLen))
		b = at.append(b)
	}
	b = appendTag(b, fSpanStatus, wireBytes)
	b = binary.AppendUvarint(b, uint64(d.statusSize()))
	if d.failed {
		b = appendTag(b, fStatusCode, wireVarint)
		b = binary.AppendUvarint(b, statusCodeError)
	}
	return b
}

// size is the length of the attribute's KeyValue message.
func (at *attr) size() int {
	return fieldLen(fKeyValueKey, len(at.key)) + fieldLen(fKeyValueValue, at.valueSize())
}

func (at *attr) valueSize() int {
	if at.isInt {
		return tagLen(fAnyInt) + varintLen(uint64(at.num))
	}
	return fieldLen(fAnyString, len(at.str))
}

func (at *attr) append(b []byte) []byte {
	b = appendString(b, fKeyValueKey, at.key)
	b = appendTag(b, fKeyValueValue, wireBytes)
	b = binary.AppendUvarint(b, uint64(at.valueSize()))
	if at.isInt {
		b = appendTag(b, fAnyInt, wireVarint)
		return binary.AppendUvarint(b, uint64(at.num))
	}
	return appendString(b, fAnyString, at.str)
}

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendString(b []byte, field int, v string) []byte {
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// fieldLen is the encoded length of a length-delimited field of n bytes.
func fieldLen(field, n int) int { return tagLen(field) + varintLen(uint64(n)) + n }

func tagLen(field int) int { return varintLen(uint64(field << 3)) }

func varintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }
