//go:build !unix

package auditlogexporter

func processCPU() int64 { return 0 }
