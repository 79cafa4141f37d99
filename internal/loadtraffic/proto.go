package loadtraffic

import (
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the OTLP messages written below (opentelemetry-proto:
// collector/trace/v1, trace/v1, common/v1, resource/v1).
const (
	fRequestResourceSpans protowire.Number = 1 // ExportTraceServiceRequest
	fResourceSpansRes     protowire.Number = 1 // ResourceSpans
	fResourceSpansScope   protowire.Number = 2
	fResourceAttributes   protowire.Number = 1 // Resource
	fScopeSpansScope      protowire.Number = 1 // ScopeSpans
	fScopeSpansSpans      protowire.Number = 2
	fScopeName            protowire.Number = 1 // InstrumentationScope
	fScopeVersion         protowire.Number = 2
	fSpanTraceID          protowire.Number = 1 // Span
	fSpanSpanID           protowire.Number = 2
	fSpanName             protowire.Number = 5
	fSpanKind             protowire.Number = 6
	fSpanStart            protowire.Number = 7
	fSpanEnd              protowire.Number = 8
	fSpanAttributes       protowire.Number = 9
	fSpanStatus           protowire.Number = 15
	fStatusCode           protowire.Number = 3 // Status
	fKeyValueKey          protowire.Number = 1 // KeyValue
	fKeyValueValue        protowire.Number = 2
	fAnyString            protowire.Number = 1 // AnyValue
	fAnyInt               protowire.Number = 3

	spanKindServer  = 2
	statusCodeError = 2
)

// AppendRequest appends the protobuf encoding of the stream's next request
// (an ExportTraceServiceRequest) to b: it decodes to the traces Request
// makes from an identical stream. The load generator sends these bytes as they are: a request costs
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
	b = append(appendLen(b, fRequestResourceSpans, rsLen), s.head...)
	b = appendLen(b, fResourceSpansScope, ssLen)
	b = appendBytes(b, fScopeSpansScope, s.scope)
	for i := range draws {
		b = draws[i].append(appendLen(b, fScopeSpansSpans, sizes[i]))
	}
	return b
}

// appendHead appends the stream's resource field, the same in each request.
func (s *Stream) appendHead(b []byte) []byte {
	var res []byte
	for _, at := range s.resourceAttrs() {
		res = at.append(appendLen(res, fResourceAttributes, at.size()))
	}
	return appendBytes(b, fResourceSpansRes, res)
}

// size is the length of the span's Span message.
func (d *spanDraw) size() int {
	n := fieldLen(fSpanTraceID, len(d.traceID)) + fieldLen(fSpanSpanID, len(d.spanID)) +
		fieldLen(fSpanName, len(d.name)) + varintLen(fSpanKind, spanKindServer) +
		2*(protowire.SizeTag(fSpanStart)+protowire.SizeFixed64()) + d.attrsLen
	return n + fieldLen(fSpanStatus, d.statusSize())
}

func (d *spanDraw) statusSize() int {
	if !d.failed {
		return 0
	}
	return varintLen(fStatusCode, statusCodeError)
}

// append appends the Span message, its fields in field number order, with
// an empty status as pdata writes one.
func (d *spanDraw) append(b []byte) []byte {
	b = appendBytes(b, fSpanTraceID, d.traceID[:])
	b = appendBytes(b, fSpanSpanID, d.spanID[:])
	b = appendString(b, fSpanName, d.name)
	b = appendVarint(b, fSpanKind, spanKindServer)
	b = appendFixed64(b, fSpanStart, uint64(d.start))
	b = appendFixed64(b, fSpanEnd, uint64(d.end))
	for i := range d.nattrs {
		at := &d.attrs[i]
		b = at.append(appendLen(b, fSpanAttributes, at.kvLen))
	}
	b = appendLen(b, fSpanStatus, d.statusSize())
	if d.failed {
		b = appendVarint(b, fStatusCode, statusCodeError)
	}
	return b
}

// size is the length of the attribute's KeyValue message.
func (at *attr) size() int {
	return fieldLen(fKeyValueKey, len(at.key)) + fieldLen(fKeyValueValue, at.valueSize())
}

func (at *attr) valueSize() int {
	if at.isInt {
		return varintLen(fAnyInt, uint64(at.num))
	}
	return fieldLen(fAnyString, len(at.str))
}

func (at *attr) append(b []byte) []byte {
	b = appendString(b, fKeyValueKey, at.key)
	b = appendLen(b, fKeyValueValue, at.valueSize())
	if at.isInt {
		return appendVarint(b, fAnyInt, uint64(at.num))
	}
	return appendString(b, fAnyString, at.str)
}

// appendLen appends the tag and length of a length-delimited field of n
// bytes; its content follows.
func appendLen(b []byte, field protowire.Number, n int) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(n))
}

func appendString(b []byte, field protowire.Number, v string) []byte {
	return append(appendLen(b, field, len(v)), v...)
}

func appendBytes(b []byte, field protowire.Number, v []byte) []byte {
	return append(appendLen(b, field, len(v)), v...)
}

func appendVarint(b []byte, field protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, field, protowire.VarintType), v)
}

func appendFixed64(b []byte, field protowire.Number, v uint64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(b, field, protowire.Fixed64Type), v)
}

// fieldLen is the encoded length of a length-delimited field of n bytes.
func fieldLen(field protowire.Number, n int) int {
	return protowire.SizeTag(field) + protowire.SizeBytes(n)
}

// varintLen is the encoded length of a varint field.
func varintLen(field protowire.Number, v uint64) int {
	return protowire.SizeTag(field) + protowire.SizeVarint(v)
}
