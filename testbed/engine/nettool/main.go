// nettool: the network probe of the ape-2026 node e2e (testbed/engine/build.sh builds it statically
// into the client image and next to the node binaries). One program, several small jobs:
//
//	nettool serve  [--tcp PORTS] [--udp PORTS]       answer every TCP connection / UDP datagram with "ok <hostname>"
//	nettool probe  [--timeout D] tcp:HOST:PORT|udp:HOST:PORT...   one JSON line per target: open, timeout, refused,
//	                                                  unreachable, error (TCP open = established; UDP open = a reply)
//	nettool http   [--timeout D] URL                 one GET; JSON line with the status code (exit 1 unless 2xx)
//	nettool load   --url URL [--concurrency N] [--duration D] [--stop-file F] [--interval D] [--reuse N]
//	                                                  GETs in a loop (fresh connections unless --reuse); JSON summary at the end
//	nettool resolve NAME                              the pod's resolver (resolv.conf); JSON line with the addresses
//	nettool forward --listen ADDR --to ADDR           plain TCP relay (lets pods reach an API server bound to loopback)
//	nettool webhook [--port P]                        HTTP receiver: one JSON line per POST on stdout (path, source,
//	                                                  body as JSON when it is JSON); 200 to every request
//
// Only the Go standard library; no shell needed in the image.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "probe":
		err = probe(args)
	case "http":
		err = httpOnce(args)
	case "load":
		err = load(args)
	case "resolve":
		err = resolve(args)
	case "forward":
		err = forward(args)
	case "webhook":
		err = webhook(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nettool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nettool serve|probe|http|load|resolve|forward|webhook ... (see the source header)")
	os.Exit(2)
}

func emit(v any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func ports(list string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("bad port %q", p)
		}
		out = append(out, n)
	}
	return out, nil
}

// ---------------------------------------------------------------- serve

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	tcpList := fs.String("tcp", "", "comma-separated TCP ports")
	udpList := fs.String("udp", "", "comma-separated UDP ports")
	_ = fs.Parse(args)
	tcp, err := ports(*tcpList)
	if err != nil {
		return err
	}
	udp, err := ports(*udpList)
	if err != nil {
		return err
	}
	if len(tcp)+len(udp) == 0 {
		return errors.New("serve: no --tcp or --udp ports")
	}
	host, _ := os.Hostname()
	reply := []byte("ok " + host + "\n")
	for _, p := range tcp {
		l, err := net.Listen("tcp", fmt.Sprintf(":%d", p))
		if err != nil {
			return err
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					continue
				}
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Write(reply)
				_ = c.Close()
			}
		}()
	}
	for _, p := range udp {
		pc, err := net.ListenUDP("udp4", &net.UDPAddr{Port: p})
		if err != nil {
			return err
		}
		go serveUDP(pc, reply)
	}
	fmt.Fprintf(os.Stderr, "serving tcp %v udp %v as %s\n", tcp, udp, host)
	waitSignal()
	return nil
}

// serveUDP answers each datagram from the address it was sent to (IP_PKTINFO): with several
// addresses on one host, the routing table would otherwise pick another source, and the client's
// connected socket would drop the reply.
func serveUDP(pc *net.UDPConn, reply []byte) {
	if raw, err := pc.SyscallConn(); err == nil {
		_ = raw.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1) })
	}
	buf, oob := make([]byte, 2048), make([]byte, 512)
	for {
		_, oobn, _, from, err := pc.ReadMsgUDP(buf, oob)
		if err != nil {
			continue
		}
		var answer []byte
		msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
		for _, m := range msgs {
			// struct in_pktinfo { int ifindex; struct in_addr spec_dst; struct in_addr addr; }
			if m.Header.Level == syscall.IPPROTO_IP && m.Header.Type == syscall.IP_PKTINFO && len(m.Data) >= 12 {
				answer = make([]byte, syscall.CmsgSpace(12))
				h := (*syscall.Cmsghdr)(unsafe.Pointer(&answer[0]))
				h.Level, h.Type = syscall.IPPROTO_IP, syscall.IP_PKTINFO
				h.SetLen(syscall.CmsgLen(12))
				copy(answer[syscall.CmsgLen(0)+4:], m.Data[8:12]) // spec_dst = the datagram's destination
			}
		}
		_, _, _ = pc.WriteMsgUDP(reply, answer, from)
	}
}

func waitSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	<-ch
}

// ---------------------------------------------------------------- probe

type probeResult struct {
	Target string `json:"target"`
	Result string `json:"result"` // open | timeout | refused | unreachable | error
	Reply  string `json:"reply,omitempty"`
	Detail string `json:"detail,omitempty"`
	Ms     int64  `json:"ms"`
}

func classify(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	}
	return "error"
}

// probeOne: TCP open = the connection is established (a reply, if the server sends one, is shown);
// UDP open = a reply datagram within the timeout.
func probeOne(target string, timeout time.Duration) (res probeResult) {
	start := time.Now()
	res.Target = target
	defer func() { res.Ms = time.Since(start).Milliseconds() }()
	proto, addr, ok := strings.Cut(target, ":")
	if !ok || (proto != "tcp" && proto != "udp") {
		res.Result, res.Detail = "error", "target must be tcp:HOST:PORT or udp:HOST:PORT"
		return res
	}
	c, err := net.DialTimeout(proto, addr, timeout)
	if err != nil {
		res.Result, res.Detail = classify(err), err.Error()
		return res
	}
	defer c.Close()
	_ = c.SetDeadline(start.Add(timeout))
	if proto == "udp" {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			res.Result, res.Detail = classify(err), err.Error()
			return res
		}
	}
	buf := make([]byte, 256)
	if proto == "tcp" {
		// Established: open. Servers that speak first (nettool serve) say who answered.
		_ = c.SetReadDeadline(time.Now().Add(min(timeout, 500*time.Millisecond)))
		n, _ := c.Read(buf)
		res.Result, res.Reply = "open", strings.TrimSpace(string(buf[:n]))
		return res
	}
	n, err := c.Read(buf)
	if err != nil && n == 0 {
		res.Result, res.Detail = classify(err), err.Error()
		return res
	}
	res.Result, res.Reply = "open", strings.TrimSpace(string(buf[:n]))
	return res
}

func probe(args []string) error {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	timeout := fs.Duration("timeout", 2*time.Second, "per target")
	_ = fs.Parse(args)
	targets := fs.Args()
	results := make([]probeResult, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = probeOne(t, *timeout)
		}()
	}
	wg.Wait()
	for _, r := range results {
		emit(r)
	}
	return nil
}

// ---------------------------------------------------------------- http, load

func client(timeout time.Duration) *http.Client {
	// A fresh connection per request: every request is routed by the Service on its own, as a new
	// client would be, so a pod leaving the endpoints is noticed at once.
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func httpOnce(args []string) error {
	fs := flag.NewFlagSet("http", flag.ExitOnError)
	timeout := fs.Duration("timeout", 5*time.Second, "request timeout")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("http: one URL")
	}
	start := time.Now()
	resp, err := client(*timeout).Get(fs.Arg(0))
	out := map[string]any{"url": fs.Arg(0)}
	if err != nil {
		out["error"] = err.Error()
		emit(out)
		os.Exit(1)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	out["status"], out["ms"], out["body"] = resp.StatusCode, time.Since(start).Milliseconds(), string(body)
	emit(out)
	if resp.StatusCode/100 != 2 {
		os.Exit(1)
	}
	return nil
}

type loadSummary struct {
	URL        string         `json:"url"`
	Seconds    float64        `json:"seconds"`
	Requests   int64          `json:"requests"`
	OK         int64          `json:"ok"`
	Failed     int64          `json:"failed"`
	Statuses   map[string]int `json:"statuses"`
	Errors     []string       `json:"errors"`
	Responders map[string]int `json:"responders,omitempty"`
}

func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("url", "", "URL to GET")
	conc := fs.Int("concurrency", 1, "parallel request loops")
	duration := fs.Duration("duration", time.Minute, "upper bound of the run")
	stopFile := fs.String("stop-file", "", "stop as soon as this file exists")
	interval := fs.Duration("interval", 0, "pause between requests of one loop")
	timeout := fs.Duration("timeout", 5*time.Second, "request timeout")
	reuse := fs.Int("reuse", 0, "requests per connection (0: a fresh connection for every request)")
	_ = fs.Parse(args)
	if *url == "" {
		return errors.New("load: --url is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case <-sig:
			cancel()
		case <-ctx.Done():
		}
	}()
	if *stopFile != "" {
		go func() {
			for ctx.Err() == nil {
				if _, err := os.Stat(*stopFile); err == nil {
					cancel()
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	var requests, ok, failed atomic.Int64
	var mu sync.Mutex
	statuses := map[string]int{}
	errs := []string{}
	start := time.Now()
	c := client(*timeout)
	if *reuse > 0 {
		// Kept-alive connections, each closed after --reuse requests: new pods behind a Service get
		// their share of a long run, and the client does not run out of ports.
		c = &http.Client{Timeout: *timeout, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	}
	var wg sync.WaitGroup
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				requests.Add(1)
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, *url, nil)
				if err != nil {
					failed.Add(1)
					return
				}
				req.Close = *reuse == 0 || n%*reuse == *reuse-1
				resp, err := c.Do(req)
				mu.Lock()
				if err != nil {
					failed.Add(1)
					if len(errs) < 20 {
						errs = append(errs, fmt.Sprintf("%s %v", time.Since(start).Round(time.Millisecond), err))
					}
				} else {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					statuses[strconv.Itoa(resp.StatusCode)]++
					if resp.StatusCode/100 == 2 {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
				}
				mu.Unlock()
				if *interval > 0 {
					time.Sleep(*interval)
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(errs)
	emit(loadSummary{
		URL: *url, Seconds: time.Since(start).Seconds(), Requests: requests.Load(), OK: ok.Load(), Failed: failed.Load(),
		Statuses: statuses, Errors: errs,
	})
	return nil
}

// ---------------------------------------------------------------- resolve, forward

func resolve(args []string) error {
	if len(args) != 1 {
		return errors.New("resolve: one name")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := &net.Resolver{PreferGo: true}
	addrs, err := r.LookupHost(ctx, args[0])
	out := map[string]any{"name": args[0], "addresses": addrs}
	if err != nil {
		out["error"] = err.Error()
	}
	emit(out)
	if err != nil {
		os.Exit(1)
	}
	return nil
}

func forward(args []string) error {
	fs := flag.NewFlagSet("forward", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	to := fs.String("to", "", "address to relay to")
	_ = fs.Parse(args)
	if *listen == "" || *to == "" {
		return errors.New("forward: --listen and --to are required")
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "forwarding %s -> %s\n", *listen, *to)
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				continue
			}
			go func() {
				defer in.Close()
				out, err := net.DialTimeout("tcp", *to, 5*time.Second)
				if err != nil {
					return
				}
				defer out.Close()
				done := make(chan struct{}, 2)
				relay := func(dst, src net.Conn) {
					_, _ = io.Copy(dst, src)
					if tc, ok := dst.(*net.TCPConn); ok {
						_ = tc.CloseWrite()
					}
					done <- struct{}{}
				}
				go relay(out, in)
				go relay(in, out)
				<-done
				<-done
			}()
		}
	}()
	waitSignal()
	return nil
}

// webhook: a receiver for Alertmanager's webhook notifications (or any JSON POST) in a test
// namespace; the test reads what arrived from the container's log.
func webhook(args []string) error {
	fs := flag.NewFlagSet("webhook", flag.ExitOnError)
	port := fs.Int("port", 8080, "TCP port")
	_ = fs.Parse(args)
	var mu sync.Mutex
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			line := map[string]any{"received": time.Now().UTC().Format(time.RFC3339Nano), "path": r.URL.Path, "source": r.RemoteAddr}
			var body any
			if json.Unmarshal(raw, &body) == nil {
				line["body"] = body
			} else {
				line["text"] = string(raw)
			}
			mu.Lock()
			emit(line)
			mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "ok\n")
	})
	server := &http.Server{Addr: fmt.Sprintf(":%d", *port), Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	return server.ListenAndServe()
}
