package lambda

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/store"
)

// A function's asynchronous invocation settings (PutFunctionEventInvokeConfig
// and the rest): bucket "lambda"/"eventconfig", keyed like policies (the
// function's key, "\x00", the qualifier). async.go reads them for each event.

const eventConfigBucket = "eventconfig"

// AWS's defaults for asynchronous invocation.
const (
	defaultRetries  = 2
	defaultEventAge = 21600 // seconds: 6 hours
)

// eventConfig is one stored configuration.
type eventConfig struct {
	Retries     *int64 `json:",omitempty"`
	MaxAge      *int64 `json:",omitempty"`
	OnSuccess   string `json:",omitempty"`
	OnFailure   string `json:",omitempty"`
	Modified    int64  // Unix ms
	FunctionArn string // qualified: ...:function:name:$LATEST
}

// retries and maxAge are the effective settings.
func (c *eventConfig) retries() int64 {
	if c == nil || c.Retries == nil {
		return defaultRetries
	}
	return *c.Retries
}

func (c *eventConfig) maxAge() time.Duration {
	if c == nil || c.MaxAge == nil {
		return defaultEventAge * time.Second
	}
	return time.Duration(*c.MaxAge) * time.Second
}

func (c *eventConfig) out() *lambdaapi.FunctionEventInvokeConfig {
	t := time.UnixMilli(c.Modified)
	o := &lambdaapi.FunctionEventInvokeConfig{
		LastModified: &t, FunctionArn: api.String(c.FunctionArn),
		MaximumRetryAttempts: c.Retries, MaximumEventAgeInSeconds: c.MaxAge,
		DestinationConfig: &lambdaapi.DestinationConfig{OnSuccess: &lambdaapi.OnSuccess{}, OnFailure: &lambdaapi.OnFailure{}},
	}
	if c.OnSuccess != "" {
		o.DestinationConfig.OnSuccess.Destination = api.String(c.OnSuccess)
	}
	if c.OnFailure != "" {
		o.DestinationConfig.OnFailure.Destination = api.String(c.OnFailure)
	}
	return o
}

// checkDestination accepts the ARNs Lambda can deliver a record to.
func checkDestination(arn string) error {
	if arn == "" {
		return nil
	}
	for _, p := range []string{"arn:aws:sqs:", "arn:aws:sns:", "arn:aws:lambda:", "arn:aws:events:", "arn:aws:s3:::"} {
		if strings.HasPrefix(arn, p) {
			return nil
		}
	}
	return invalid("The destination ARN %s is invalid.", arn)
}

func readEventConfig(tx *store.Tx, account, region, name, q string) (*eventConfig, error) {
	b := tx.Bucket(rootBucket, eventConfigBucket)
	if b == nil {
		return nil, nil
	}
	v := b.Get(policyKey(account, region, name, q))
	if v == nil {
		return nil, nil
	}
	c := new(eventConfig)
	return c, json.Unmarshal(v, c)
}

func noEventConfig(arn string) error {
	return &lambdaapi.ResourceNotFoundException{Type: api.String("User"),
		Message: api.String("The function " + arn + " doesn't have an EventInvokeConfig")}
}

// changeEventConfig reads, changes and stores a function's configuration;
// create says whether a missing one may be made.
func (s *Service) changeEventConfig(ctx context.Context, fn, qual *string, create bool, change func(c *eventConfig) error) (*eventConfig, error) {
	account, region, name, q, err := policyTarget(ctx, fn, qual)
	if err != nil {
		return nil, err
	}
	if q == "" {
		q = "$LATEST"
	}
	var c *eventConfig
	err = s.st.Update(func(tx *store.Tx) error {
		f, _, err := s.readPolicy(tx, account, region, name, q) // the function must exist
		if err != nil {
			return err
		}
		c, err = readEventConfig(tx, account, region, name, q)
		if err != nil {
			return err
		}
		arn := f.arn() + ":" + q
		if c == nil {
			if !create {
				return noEventConfig(arn)
			}
			c = &eventConfig{}
		}
		if err := change(c); err != nil {
			return err
		}
		c.FunctionArn, c.Modified = arn, s.now().UnixMilli()
		b, err := tx.CreateBucket(rootBucket, eventConfigBucket)
		if err != nil {
			return err
		}
		return b.PutJSON(policyKey(account, region, name, q), c)
	})
	return c, err
}

func setEventConfig(c *eventConfig, retries, age *int64, d *lambdaapi.DestinationConfig, replace bool) error {
	if replace {
		*c = eventConfig{}
	}
	if retries != nil {
		c.Retries = retries
	}
	if age != nil {
		c.MaxAge = age
	}
	if d != nil {
		if d.OnSuccess != nil {
			c.OnSuccess = api.ToString(d.OnSuccess.Destination)
		}
		if d.OnFailure != nil {
			c.OnFailure = api.ToString(d.OnFailure.Destination)
		}
	}
	if err := checkDestination(c.OnSuccess); err != nil {
		return err
	}
	return checkDestination(c.OnFailure)
}

// PutFunctionEventInvokeConfig replaces a function's async settings.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.PutFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	c, err := s.changeEventConfig(ctx, in.FunctionName, in.Qualifier, true, func(c *eventConfig) error {
		return setEventConfig(c, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds, in.DestinationConfig, true)
	})
	if err != nil {
		return nil, err
	}
	return c.out(), nil
}

// UpdateFunctionEventInvokeConfig changes the settings given, creating the
// configuration when there is none (as AWS does).
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.UpdateFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	c, err := s.changeEventConfig(ctx, in.FunctionName, in.Qualifier, true, func(c *eventConfig) error {
		return setEventConfig(c, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds, in.DestinationConfig, false)
	})
	if err != nil {
		return nil, err
	}
	return c.out(), nil
}

// GetFunctionEventInvokeConfig answers a function's async settings.
func (s *Service) GetFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.GetFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	account, region, name, q, err := policyTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if q == "" {
		q = "$LATEST"
	}
	var c *eventConfig
	err = s.st.View(func(tx *store.Tx) error {
		f, _, err := s.readPolicy(tx, account, region, name, q)
		if err != nil {
			return err
		}
		if c, err = readEventConfig(tx, account, region, name, q); err == nil && c == nil {
			err = noEventConfig(f.arn() + ":" + q)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.out(), nil
}

// DeleteFunctionEventInvokeConfig removes a function's async settings.
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.DeleteFunctionEventInvokeConfigRequest) (*lambdaapi.DeleteFunctionEventInvokeConfigOutput, error) {
	account, region, name, q, err := policyTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if q == "" {
		q = "$LATEST"
	}
	err = s.st.Update(func(tx *store.Tx) error {
		f, _, err := s.readPolicy(tx, account, region, name, q)
		if err != nil {
			return err
		}
		c, err := readEventConfig(tx, account, region, name, q)
		if err != nil {
			return err
		}
		if c == nil {
			return noEventConfig(f.arn() + ":" + q)
		}
		return tx.Bucket(rootBucket, eventConfigBucket).Delete(policyKey(account, region, name, q))
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteFunctionEventInvokeConfigOutput{}, nil
}

// ListFunctionEventInvokeConfigs lists a function's configurations (one per
// qualifier; only $LATEST exists until versions do).
func (s *Service) ListFunctionEventInvokeConfigs(ctx context.Context, in *lambdaapi.ListFunctionEventInvokeConfigsRequest) (*lambdaapi.ListFunctionEventInvokeConfigsResponse, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListFunctionEventInvokeConfigsResponse{FunctionEventInvokeConfigs: []*lambdaapi.FunctionEventInvokeConfig{}}
	max := 50
	if in.MaxItems != nil {
		max = int(*in.MaxItems)
	}
	err = s.st.View(func(tx *store.Tx) error {
		if _, _, err := s.readPolicy(tx, account, region, name, ""); err != nil {
			return err
		}
		b := tx.Bucket(rootBucket, eventConfigBucket)
		if b == nil {
			return nil
		}
		prefix := append(key(account, region, name), 0)
		last := ""
		return b.ForEachPrefix(prefix, func(k, v []byte) error {
			q := string(k[len(prefix):])
			if (in.Marker != nil && q <= *in.Marker) || out.NextMarker != nil {
				return nil
			}
			if len(out.FunctionEventInvokeConfigs) == max {
				out.NextMarker = api.String(last)
				return nil
			}
			last = q
			c := new(eventConfig)
			if err := json.Unmarshal(v, c); err != nil {
				return err
			}
			out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, c.out())
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
