package lambda

import (
	"github.com/fogbank/fogbank/internal/host"
)

// Invocations write their logs to CloudWatch Logs, when fogbank has it: the
// group /aws/lambda/<name>, one stream per execution environment. The writes
// go through one goroutine with a bounded queue, so a slow or absent Logs
// never slows an invocation (a full queue drops the batch).

// logAppender is what Lambda needs of CloudWatch Logs: it creates the group
// and stream when missing.
type logAppender interface {
	AppendLogEvents(account, region, group, stream string, timestampsMs []int64, messages []string) error
}

type logBatch struct {
	account, region, group, stream string
	ts                             []int64
	msgs                           []string
}

const logQueue = 1024

func (s *Service) findLogs() {
	if s.env == nil {
		return
	}
	l, err := host.Lookup[logAppender](s.env, "logs")
	if err != nil {
		return // no CloudWatch Logs in this fogbank: invocations log nowhere but their tail
	}
	s.logs = l
	s.logCh = make(chan logBatch, logQueue)
	s.logsWG.Add(1)
	go s.deliverLogs()
}

func (s *Service) deliverLogs() {
	defer s.logsWG.Done()
	put := func(b logBatch) {
		if err := s.logs.AppendLogEvents(b.account, b.region, b.group, b.stream, b.ts, b.msgs); err != nil && s.env.Logger != nil {
			s.env.Logger.Warn("lambda: writing logs", "group", b.group, "err", err)
		}
	}
	for {
		select {
		case b := <-s.logCh:
			put(b)
		case <-s.quit:
			for {
				select {
				case b := <-s.logCh:
					put(b)
				default:
					return
				}
			}
		}
	}
}

// writeLogs queues an invocation's lines for its function's log group.
func (s *Service) writeLogs(f *function, stream string, lines []logLine) {
	if s.logCh == nil || len(lines) == 0 {
		return
	}
	b := logBatch{account: f.Account, region: f.Region, group: "/aws/lambda/" + f.Name, stream: stream,
		ts: make([]int64, len(lines)), msgs: make([]string, len(lines))}
	for i, l := range lines {
		b.ts[i] = l.at.UnixMilli()
		b.msgs[i] = l.text
	}
	select {
	case s.logCh <- b:
	default:
		if s.env.Logger != nil {
			s.env.Logger.Warn("lambda: log queue full, an invocation's logs were dropped", "group", b.group)
		}
	}
}
