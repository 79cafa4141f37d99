package auditlogexporter

import "github.com/tokenaudit/tokenaudit/internal/auditlog"

// The encoder calls the stage benchmarks make.

func stageEncode(enc *encoder, it *item, logged int64) []byte {
	return enc.apiActivity(it, logged).tail
}

func stageRecord(enc *encoder, it *item, logged int64) auditlog.Entry {
	return enc.apiActivity(it, logged)
}

func stageRecordID(body []byte) { _ = recordID(body) }
