// inventory: reserves stock for orders (called by order-processor through service invocation),
// writes a receipt per reservation through the `receipts` output binding and prints a stock report
// on every tick of the `stock-report` cron input binding. Plain net/http, no SDK.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

type reservation struct {
	OrderID  string `json:"orderId"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

type outcome struct {
	OrderID   string `json:"orderId"`
	Reserved  bool   `json:"reserved"`
	Remaining int    `json:"remaining"`
	Receipt   string `json:"receipt,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

var (
	daprURL = "http://127.0.0.1:" + envOr("DAPR_HTTP_PORT", "3500")
	orderID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

	mu    sync.Mutex
	stock = map[string]int{"widget": 40, "gadget": 40, "gizmo": 40}
	// Events are delivered at least once, so a reservation is answered the same way every time it is asked.
	outcomes = map[string]outcome{}
	reports  = 0
)

func main() {
	port := os.Getenv("APP_PORT")
	if port == "" {
		fmt.Fprintln(os.Stderr, "APP_PORT is not set: start me with `mecha run --app-port <port> -- ./inventory`")
		os.Exit(2)
	}
	http.HandleFunc("POST /reserve", reserve)
	http.HandleFunc("POST /stock-report", stockReport)
	fmt.Printf("inventory listening on 127.0.0.1:%s, stock %s\n", port, stockLine())
	if err := http.ListenAndServe("127.0.0.1:"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func reserve(w http.ResponseWriter, r *http.Request) {
	var req reservation
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
		http.Error(w, "body: expected {\"orderId\",\"item\",\"quantity\"}: "+err.Error(), http.StatusBadRequest)
		return
	}
	if problem := validate(req); problem != "" {
		http.Error(w, problem, http.StatusBadRequest)
		return
	}

	mu.Lock()
	if done, ok := outcomes[req.OrderID]; ok {
		mu.Unlock()
		writeJSON(w, done)
		return
	}
	result := outcome{OrderID: req.OrderID, Remaining: stock[req.Item]}
	if stock[req.Item] < req.Quantity {
		result.Reason = fmt.Sprintf("only %d %s left", stock[req.Item], req.Item)
	} else {
		stock[req.Item] -= req.Quantity
		result.Reserved, result.Remaining, result.Receipt = true, stock[req.Item], req.OrderID+".json"
	}
	outcomes[req.OrderID] = result
	mu.Unlock()

	if result.Reserved {
		if err := writeReceipt(req, result.Receipt); err != nil {
			// Undo, so the caller's retry reserves again instead of finding a reservation without a receipt.
			mu.Lock()
			stock[req.Item] += req.Quantity
			delete(outcomes, req.OrderID)
			mu.Unlock()
			fmt.Printf("receipt for %s failed: %v\n", req.OrderID, err)
			http.Error(w, "receipt: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Printf("reserved %d x %s for %s (%d left), receipt %s\n", req.Quantity, req.Item, req.OrderID, result.Remaining, result.Receipt)
	} else {
		fmt.Printf("rejected %s: %s\n", req.OrderID, result.Reason)
	}
	writeJSON(w, result)
}

func validate(req reservation) string {
	switch {
	case !orderID.MatchString(req.OrderID):
		return "orderId: expected 1-100 letters, digits, '-' or '_'"
	case req.Quantity < 1:
		return "quantity: expected a positive integer"
	}
	mu.Lock()
	defer mu.Unlock()
	if _, known := stock[req.Item]; !known {
		return fmt.Sprintf("item: unknown item %q", req.Item)
	}
	return ""
}

// writeReceipt creates <orderId>.json through the sidecar's `receipts` binding (bindings.localstorage).
func writeReceipt(req reservation, fileName string) error {
	body, _ := json.Marshal(map[string]any{
		"operation": "create",
		"data":      map[string]any{"orderId": req.OrderID, "item": req.Item, "quantity": req.Quantity, "reservedAt": time.Now().UTC().Format(time.RFC3339Nano)},
		"metadata":  map[string]string{"fileName": fileName},
	})
	client := http.Client{Timeout: 10 * time.Second}
	res, err := client.Post(daprURL+"/v1.0/bindings/receipts", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		detail, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return fmt.Errorf("binding answered %d: %s", res.StatusCode, strings.TrimSpace(string(detail)))
	}
	return nil
}

// stockReport answers the cron binding: any 2xx tells the sidecar the trigger was handled.
func stockReport(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	mu.Lock()
	reports++
	n, reserved, line := reports, 0, stockLine()
	for _, o := range outcomes {
		if o.Reserved {
			reserved++
		}
	}
	mu.Unlock()
	fmt.Printf("stock report #%d: %s (%d orders reserved)\n", n, line, reserved)
	w.WriteHeader(http.StatusOK)
}

// stockLine lists the stock sorted by item; callers hold mu.
func stockLine() string {
	items := make([]string, 0, len(stock))
	for item := range stock {
		items = append(items, item)
	}
	sort.Strings(items)
	parts := make([]string, len(items))
	for i, item := range items {
		parts[i] = fmt.Sprintf("%s=%d", item, stock[item])
	}
	return strings.Join(parts, " ")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
