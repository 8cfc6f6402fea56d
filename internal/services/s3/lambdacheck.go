package s3

import (
	"strconv"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/host"
)

// lambdaTargets is what S3 needs of fogbank's Lambda: whether a notification
// configuration's function exists (it also starts Lambda's consumer of
// s3event.Topic, so that the events of the configuration are delivered).
type lambdaTargets interface {
	NotificationTargetExists(arn string) bool
}

// checkLambdaTargets refuses, as AWS does, a configuration naming a function
// that cannot be invoked: InvalidArgument "Unable to validate the following
// destination configurations", each such function as an ArgumentName and its
// reason as the ArgumentValue. Without a Lambda service (tests of S3 alone)
// nothing is checked.
func (s *Service) checkLambdaTargets(cfg *s3api.NotificationConfiguration) error {
	if s.env == nil || len(cfg.LambdaFunctionConfigurations) == 0 {
		return nil
	}
	l, err := host.Lookup[lambdaTargets](s.env, "lambda")
	if err != nil {
		return nil
	}
	var bad *api.Err
	n := 0
	for _, c := range cfg.LambdaFunctionConfigurations {
		arn := api.ToString(c.LambdaFunctionArn)
		if l.NotificationTargetExists(arn) {
			continue
		}
		if bad == nil {
			bad = api.Errorf(400, "InvalidArgument", "Unable to validate the following destination configurations")
		}
		n++
		bad = bad.With("ArgumentName"+strconv.Itoa(n), arn).With("ArgumentValue"+strconv.Itoa(n), "Not authorized to invoke function ["+arn+"]")
	}
	if bad != nil {
		return bad
	}
	return nil
}
