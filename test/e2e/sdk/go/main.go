// A program built on github.com/dapr/go-sdk for the SDK end-to-end test.
//
//	sdk-go app      a gRPC service (service/grpc) started by the sidecar: it subscribes to topic
//	                "orders" (default route) and to "alerts" with a rule for events of type "urgent",
//	                listens to input binding "ticks", and answers methods "echo" and "received".
//	sdk-go client   drives the sidecar through the client package and prints one JSON report,
//	                each step's outcome or the gRPC status and Dapr error code it failed with.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"
	daprd "github.com/dapr/go-sdk/service/grpc"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: sdk-go app|client APP_ID")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "app":
		runApp()
	case "client":
		runClient(os.Args[2])
	}
}

type received struct {
	mu     sync.Mutex
	events []map[string]any
}

func (r *received) add(e map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func runApp() {
	s, err := daprd.NewService("127.0.0.1:" + os.Getenv("APP_PORT"))
	must(err)
	got := &received{}
	topic := func(handler string) common.TopicEventHandler {
		return func(_ context.Context, e *common.TopicEvent) (bool, error) {
			got.add(map[string]any{"kind": "event", "handler": handler, "topic": e.Topic, "pubsub": e.PubsubName, "id": e.ID, "type": e.Type, "data": e.Data})
			return false, nil
		}
	}
	must(s.AddTopicEventHandler(&common.Subscription{PubsubName: "pubsub", Topic: "orders"}, topic("orders")))
	must(s.AddTopicEventHandler(&common.Subscription{PubsubName: "pubsub", Topic: "alerts", Route: "/urgent", Match: `event.type == "urgent"`, Priority: 1}, topic("urgent")))
	must(s.AddBindingInvocationHandler("ticks", func(_ context.Context, _ *common.BindingEvent) ([]byte, error) {
		got.add(map[string]any{"kind": "binding", "name": "ticks"})
		return nil, nil
	}))
	must(s.AddServiceInvocationHandler("echo", func(_ context.Context, in *common.InvocationEvent) (*common.Content, error) {
		body, _ := json.Marshal(map[string]string{"data": string(in.Data), "contentType": in.ContentType, "verb": in.Verb})
		return &common.Content{Data: body, ContentType: "application/json"}, nil
	}))
	must(s.AddServiceInvocationHandler("received", func(_ context.Context, _ *common.InvocationEvent) (*common.Content, error) {
		got.mu.Lock()
		defer got.mu.Unlock()
		body, err := json.Marshal(got.events)
		return &common.Content{Data: body, ContentType: "application/json"}, err
	}))
	// Exit with the sidecar that started us.
	parent := os.Getppid()
	go func() {
		for range time.Tick(200 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(0)
			}
		}
	}()
	must(s.Start())
}

// failure is how a step's error is reported: the gRPC code and the ErrorInfo reason (the Dapr code).
func failure(err error) map[string]any {
	st, ok := status.FromError(err)
	if !ok {
		var wrapped interface{ GRPCStatus() *status.Status }
		if errors.As(err, &wrapped) {
			st, ok = wrapped.GRPCStatus(), true
		}
	}
	if !ok {
		return map[string]any{"error": err.Error()}
	}
	out := map[string]any{"grpc": st.Code().String()}
	for _, d := range st.Details() {
		if info, isInfo := d.(*errdetails.ErrorInfo); isInfo {
			out["errorCode"] = info.GetReason()
		}
	}
	return out
}

func runClient(appID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	c, err := dapr.NewClient()
	must(err)
	defer c.Close()
	report := map[string]any{}
	step := func(name string, fn func() (any, error)) {
		v, err := fn()
		if err != nil {
			report[name] = map[string]any{"failed": failure(err)}
			return
		}
		report[name] = v
	}

	step("state", func() (any, error) {
		if err := c.SaveState(ctx, "statestore", "go-k", []byte("v1"), nil); err != nil {
			return nil, err
		}
		first, err := c.GetState(ctx, "statestore", "go-k", nil)
		if err != nil {
			return nil, err
		}
		stale := c.SaveStateWithETag(ctx, "statestore", "go-k", []byte("v2"), "999", nil)
		if err := c.SaveStateWithETag(ctx, "statestore", "go-k", []byte("v2"), first.Etag, nil); err != nil {
			return nil, err
		}
		second, err := c.GetState(ctx, "statestore", "go-k", nil)
		if err != nil {
			return nil, err
		}
		staleDelete := c.DeleteStateWithETag(ctx, "statestore", "go-k", &dapr.ETag{Value: first.Etag}, nil, nil)
		if err := c.DeleteStateWithETag(ctx, "statestore", "go-k", &dapr.ETag{Value: second.Etag}, nil, nil); err != nil {
			return nil, err
		}
		gone, err := c.GetState(ctx, "statestore", "go-k", nil)
		if err != nil {
			return nil, err
		}
		return map[string]any{"first": string(first.Value), "hasEtag": first.Etag != "", "staleSave": failure(stale), "second": string(second.Value),
			"etagChanged": second.Etag != first.Etag, "staleDelete": failure(staleDelete), "afterDelete": string(gone.Value)}, nil
	})

	step("bulkState", func() (any, error) {
		err := c.SaveBulkState(ctx, "statestore", &dapr.SetStateItem{Key: "go-b1", Value: []byte("one")}, &dapr.SetStateItem{Key: "go-b2", Value: []byte("two")})
		if err != nil {
			return nil, err
		}
		items, err := c.GetBulkState(ctx, "statestore", []string{"go-b1", "go-b2", "go-missing"}, nil, 2)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for _, it := range items {
			out[it.Key] = string(it.Value)
		}
		return out, nil
	})

	step("transaction", func() (any, error) {
		ops := []*dapr.StateOperation{
			{Type: dapr.StateOperationTypeUpsert, Item: &dapr.SetStateItem{Key: "go-t1", Value: []byte("t1")}},
			{Type: dapr.StateOperationTypeDelete, Item: &dapr.SetStateItem{Key: "go-b1"}},
		}
		if err := c.ExecuteStateTransaction(ctx, "statestore", nil, ops); err != nil {
			return nil, err
		}
		t1, err := c.GetState(ctx, "statestore", "go-t1", nil)
		if err != nil {
			return nil, err
		}
		b1, err := c.GetState(ctx, "statestore", "go-b1", nil)
		if err != nil {
			return nil, err
		}
		return map[string]string{"t1": string(t1.Value), "b1": string(b1.Value)}, nil
	})

	step("publish", func() (any, error) {
		if err := c.PublishEvent(ctx, "pubsub", "orders", map[string]int{"order": 1}); err != nil {
			return nil, err
		}
		if err := c.PublishEvent(ctx, "pubsub", "alerts", map[string]int{"order": 3}); err != nil {
			return nil, err
		}
		urgent := map[string]any{"specversion": "1.0", "id": "go-urgent-1", "source": "go-client", "type": "urgent", "datacontenttype": "application/json", "data": map[string]int{"order": 2}}
		body, _ := json.Marshal(urgent)
		return "ok", c.PublishEvent(ctx, "pubsub", "alerts", body, dapr.PublishEventWithContentType("application/cloudevents+json"))
	})

	step("bulkPublish", func() (any, error) {
		res := c.PublishEvents(ctx, "pubsub", "orders", []interface{}{map[string]int{"n": 0}, map[string]int{"n": 1}})
		return map[string]any{"failed": len(res.FailedEvents)}, res.Error
	})

	step("invoke", func() (any, error) {
		out, err := c.InvokeMethodWithContent(ctx, appID, "echo", "post", &dapr.DataContent{Data: []byte("hello"), ContentType: "text/plain"})
		if err != nil {
			return nil, err
		}
		var v any
		return v, json.Unmarshal(out, &v)
	})

	step("metadata", func() (any, error) {
		m, err := c.GetMetadata(ctx)
		if err != nil {
			return nil, err
		}
		names := []string{}
		for _, comp := range m.RegisteredComponents {
			names = append(names, comp.Name)
		}
		sort.Strings(names)
		return map[string]any{"appId": m.ID, "components": names}, nil
	})

	step("lock", func() (any, error) {
		first, err := c.TryLockAlpha1(ctx, "lockstore", &dapr.LockRequest{ResourceID: "go-resource", LockOwner: "owner-a", ExpiryInSeconds: 60})
		if err != nil {
			return nil, err
		}
		second, err := c.TryLockAlpha1(ctx, "lockstore", &dapr.LockRequest{ResourceID: "go-resource", LockOwner: "owner-b", ExpiryInSeconds: 60})
		if err != nil {
			return nil, err
		}
		unlock, err := c.UnlockAlpha1(ctx, "lockstore", &dapr.UnlockRequest{ResourceID: "go-resource", LockOwner: "owner-a"})
		if err != nil {
			return nil, err
		}
		return map[string]any{"first": first.Success, "second": second.Success, "unlock": unlock.Status}, nil
	})

	step("configuration", func() (any, error) {
		item, err := c.GetConfigurationItem(ctx, "configstore", "greeting")
		if err != nil {
			return nil, err
		}
		return map[string]string{"value": item.Value, "version": item.Version}, nil
	})

	step("secrets", func() (any, error) {
		return c.GetSecret(ctx, "secretstore", "db-password", nil)
	})

	step("missingStore", func() (any, error) {
		_, err := c.GetState(ctx, "no-such-store", "k", nil)
		if err == nil {
			return "no error", nil
		}
		return failure(err), nil
	})

	out, err := json.Marshal(report)
	must(err)
	fmt.Println(string(out))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
