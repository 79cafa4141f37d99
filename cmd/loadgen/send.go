package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// target is where and how spans are sent.
type target struct {
	endpoint string
	protocol string
	timeout  time.Duration
}

func (t *target) flags(fs *flag.FlagSet) {
	fs.StringVar(&t.endpoint, "endpoint", "", "collector OTLP endpoint host:port (default 127.0.0.1:4317 for grpc, 127.0.0.1:4318 for http)")
	fs.StringVar(&t.protocol, "protocol", "grpc", "grpc or http")
	fs.DurationVar(&t.timeout, "timeout", 30*time.Second, "per-request timeout")
}

// sender exports one request, an encoded ExportTraceServiceRequest, and
// returns once the collector answered. It sends the bytes as they are:
// the load generator encodes its requests itself, and its CPU per span is
// CPU the collector cannot have on a shared machine (docs/BENCHMARKS.md).
type sender interface {
	send(ctx context.Context, req []byte) error
	close() error
}

// encodeTraces is the request of td as a sender sends it.
func encodeTraces(td ptrace.Traces) ([]byte, error) {
	req, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return nil, fmt.Errorf("encode the export request: %w", err)
	}
	return req, nil
}

func (t *target) dial() (sender, error) {
	switch t.protocol {
	case "grpc":
		if t.endpoint == "" {
			t.endpoint = "127.0.0.1:4317"
		}
		cc, err := grpc.NewClient(t.endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", t.endpoint, err)
		}
		return &grpcSender{cc: cc, timeout: t.timeout}, nil
	case "http":
		if t.endpoint == "" {
			t.endpoint = "127.0.0.1:4318"
		}
		url := t.endpoint
		if !strings.Contains(url, "://") {
			url = "http://" + url
		}
		return &httpSender{url: strings.TrimSuffix(url, "/") + "/v1/traces", client: &http.Client{Timeout: t.timeout}}, nil
	}
	return nil, fmt.Errorf("-protocol %q: use grpc or http", t.protocol)
}

type grpcSender struct {
	cc      *grpc.ClientConn
	timeout time.Duration
}

// exportMethod is OTLP's trace export over gRPC.
const exportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

func (s *grpcSender) send(ctx context.Context, req []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var resp []byte
	return s.cc.Invoke(ctx, exportMethod, &req, &resp, grpc.ForceCodecV2(rawCodec{}))
}

func (s *grpcSender) close() error { return s.cc.Close() }

type httpSender struct {
	url    string
	client *http.Client
}

func (s *httpSender) send(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", s.url, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

func (s *httpSender) close() error { return nil }

// connect dials the target and waits until the collector answers.
func (t *target) connect(ctx context.Context) (sender, error) {
	s, err := t.dial()
	if err != nil {
		return nil, err
	}
	if err := waitReady(ctx, s, time.Minute); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// waitReady retries an empty export until the collector answers, so that
// a demo started with the collector does not fail on its first batch.
func waitReady(ctx context.Context, s sender, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		err := s.send(ctx, nil) // an empty request: no spans
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the collector does not answer: %w", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
