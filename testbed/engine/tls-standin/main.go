// Stand-in for pulumi-resource-tls (ape-2026 offline engine): the real provider cannot be built from
// the Go module proxy. testbed/engine/build.sh copies this directory into its work module and builds
// it on the pulumi sdk/v3 Go provider package. Implements, with @pulumi/tls 5.6.1's property names:
//
//	tls:index/privateKey:PrivateKey               (this file)
//	tls:index/selfSignedCert:SelfSignedCert       (certs.go)
//	tls:index/certRequest:CertRequest             (certs.go)
//	tls:index/locallySignedCert:LocallySignedCert (certs.go)
//
// Any change of an input replaces the resource; Read returns the state; Delete is a no-op.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"sort"
	"time"

	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Version is stamped with -ldflags -X.
var Version = "0.0.0"

const (
	privateKeyType        = "tls:index/privateKey:PrivateKey"
	selfSignedCertType    = "tls:index/selfSignedCert:SelfSignedCert"
	certRequestType       = "tls:index/certRequest:CertRequest"
	locallySignedCertType = "tls:index/locallySignedCert:LocallySignedCert"
)

// kind is one implemented resource type.
type kind struct {
	check  func(news resource.PropertyMap) []*pulumirpc.CheckFailure // validates, fills defaults in news
	create func(inputs resource.PropertyMap) (resource.PropertyMap, string, error)
	schema map[string]any
}

var kinds = map[string]kind{
	privateKeyType:        {checkPrivateKey, createPrivateKey, privateKeySchema},
	selfSignedCertType:    {checkSelfSignedCert, createSelfSignedCert, selfSignedCertSchema},
	certRequestType:       {checkCertRequest, createCertRequest, certRequestSchema},
	locallySignedCertType: {checkLocallySignedCert, createLocallySignedCert, locallySignedCertSchema},
}

type tlsProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
}

func main() {
	err := provider.Main("tls", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &tlsProvider{}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var mopts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, mopts)
}
func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, mopts)
}

func kindOf(t string) (kind, error) {
	if resource.URN(t).IsValid() {
		t = string(resource.URN(t).Type())
	}
	k, ok := kinds[t]
	if !ok {
		names := make([]string, 0, len(kinds))
		for n := range kinds {
			names = append(names, n)
		}
		sort.Strings(names)
		return kind{}, fmt.Errorf("pulumi-resource-tls stand-in (ape-2026 engine): %s is not implemented (only %v)", t, names)
	}
	return k, nil
}

// ---------------------------------------------------------------- property helpers

// plain unwraps secrets (and known outputs) so the value itself can be inspected.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

func unknown(v resource.PropertyValue) bool {
	return v.IsComputed() || (v.IsOutput() && !v.OutputValue().Known) ||
		(v.IsSecret() && unknown(v.SecretValue().Element))
}

// containsUnknowns: true if v or anything inside it is not known yet (preview).
func containsUnknowns(v resource.PropertyValue) bool {
	v = plain(v)
	switch {
	case unknown(v):
		return true
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			if containsUnknowns(e) {
				return true
			}
		}
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			if containsUnknowns(e) {
				return true
			}
		}
	}
	return false
}

func str(m resource.PropertyMap, k, def string) string {
	if v := plain(m[resource.PropertyKey(k)]); v.IsString() {
		return v.StringValue()
	}
	return def
}

func num(m resource.PropertyMap, k string, def float64) float64 {
	if v := plain(m[resource.PropertyKey(k)]); v.IsNumber() {
		return v.NumberValue()
	}
	return def
}

func boolean(m resource.PropertyMap, k string) bool {
	v := plain(m[resource.PropertyKey(k)])
	return v.IsBool() && v.BoolValue()
}

func strs(m resource.PropertyMap, k string) []string {
	var out []string
	if v := plain(m[resource.PropertyKey(k)]); v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e = plain(e); e.IsString() {
				out = append(out, e.StringValue())
			}
		}
	}
	return out
}

func setDefault(m resource.PropertyMap, k string, v resource.PropertyValue) {
	if cur, ok := m[resource.PropertyKey(k)]; !ok || cur.IsNull() {
		m[resource.PropertyKey(k)] = v
	}
}

func secret(s string) resource.PropertyValue {
	return resource.MakeSecret(resource.NewStringProperty(s))
}

// required adds a failure for every listed input that is absent (unknown values are fine).
func required(news resource.PropertyMap, keys ...string) []*pulumirpc.CheckFailure {
	var failures []*pulumirpc.CheckFailure
	for _, k := range keys {
		if v, ok := news[resource.PropertyKey(k)]; !ok || v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{Property: k, Reason: k + " is required"})
		}
	}
	return failures
}

// ---------------------------------------------------------------- gRPC

func (p *tlsProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *tlsProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	resources := map[string]any{}
	for t, k := range kinds {
		resources[t] = k.schema
	}
	b, err := json.Marshal(map[string]any{"name": "tls", "version": Version, "types": schemaTypes, "resources": resources})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(b)}, nil
}

func (p *tlsProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *tlsProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *tlsProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *tlsProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *tlsProvider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, fmt.Errorf("pulumi-resource-tls stand-in (ape-2026 engine): function %s is not implemented", req.GetTok())
}

func (p *tlsProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, err := kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	failures := k.check(news)
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// Diff: any change of an input replaces; so does a certificate whose renewal time has come
// (now >= validityEndTime - earlyRenewalHours), as in the real provider.
func (p *tlsProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if _, err := kindOf(req.GetUrn()); err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		olds = state
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var replaces []string
	for k := range keys {
		o, n := olds[k], news[k]
		if containsUnknowns(n) || !plain(o).DeepEquals(plain(n)) {
			replaces = append(replaces, string(k))
		}
	}
	if readyForRenewal(state, time.Now()) {
		replaces = append(replaces, "readyForRenewal")
	}
	sort.Strings(replaces)
	if len(replaces) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: replaces, Diffs: replaces}, nil
}

func (p *tlsProvider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, err := kindOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := marshal(inputs) // outputs stay unknown in a preview
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	out, id, err := k.create(inputs)
	if err != nil {
		return nil, err
	}
	props, err := marshal(out)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (p *tlsProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *tlsProvider) Update(context.Context, *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, fmt.Errorf("pulumi-resource-tls stand-in: changes always replace")
}

func (p *tlsProvider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// ---------------------------------------------------------------- PrivateKey

func checkPrivateKey(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	var failures []*pulumirpc.CheckFailure
	alg := news["algorithm"]
	switch {
	case unknown(alg):
	case !plain(alg).IsString():
		failures = append(failures, &pulumirpc.CheckFailure{Property: "algorithm", Reason: "algorithm is required (RSA, ECDSA or ED25519)"})
	default:
		if a := plain(alg).StringValue(); a != "RSA" && a != "ECDSA" && a != "ED25519" {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "algorithm", Reason: "algorithm must be RSA, ECDSA or ED25519"})
		}
	}
	setDefault(news, "rsaBits", resource.NewNumberProperty(2048))
	setDefault(news, "ecdsaCurve", resource.NewStringProperty("P224"))
	return failures
}

func createPrivateKey(inputs resource.PropertyMap) (resource.PropertyMap, string, error) {
	alg := str(inputs, "algorithm", "")
	var priv crypto.Signer
	var privPem []byte
	var err error
	switch alg {
	case "RSA":
		var k *rsa.PrivateKey
		if k, err = rsa.GenerateKey(rand.Reader, int(num(inputs, "rsaBits", 2048))); err == nil {
			priv = k
			privPem = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		}
	case "ECDSA":
		curves := map[string]elliptic.Curve{"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521()}
		c, ok := curves[str(inputs, "ecdsaCurve", "P224")]
		if !ok {
			return nil, "", fmt.Errorf("unsupported ecdsaCurve %q", str(inputs, "ecdsaCurve", ""))
		}
		var k *ecdsa.PrivateKey
		if k, err = ecdsa.GenerateKey(c, rand.Reader); err == nil {
			priv = k
			var der []byte
			if der, err = x509.MarshalECPrivateKey(k); err == nil {
				privPem = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
			}
		}
	case "ED25519":
		var k ed25519.PrivateKey
		if _, k, err = ed25519.GenerateKey(rand.Reader); err == nil {
			priv = k
		}
	default:
		return nil, "", fmt.Errorf("unsupported algorithm %q", alg)
	}
	if err != nil {
		return nil, "", err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", err
	}
	pkcs8Pem := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	if privPem == nil {
		privPem = pkcs8Pem
	}
	pubDer, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, "", err
	}
	pubPem := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDer})
	var sshPub, sshPriv, fpMd5, fpSha256 string
	if sp, err := ssh.NewPublicKey(priv.Public()); err == nil { // P224 has no SSH form
		sshPub, fpMd5, fpSha256 = string(ssh.MarshalAuthorizedKey(sp)), ssh.FingerprintLegacyMD5(sp), ssh.FingerprintSHA256(sp)
		if b, err := ssh.MarshalPrivateKey(priv, ""); err == nil {
			sshPriv = string(pem.EncodeToMemory(b))
		}
	}
	out := inputs.Copy()
	out["privateKeyPem"] = secret(string(privPem))
	out["privateKeyPemPkcs8"] = secret(string(pkcs8Pem))
	out["privateKeyOpenssh"] = secret(sshPriv)
	out["publicKeyPem"] = resource.NewStringProperty(string(pubPem))
	out["publicKeyOpenssh"] = resource.NewStringProperty(sshPub)
	out["publicKeyFingerprintMd5"] = resource.NewStringProperty(fpMd5)
	out["publicKeyFingerprintSha256"] = resource.NewStringProperty(fpSha256)
	sum := sha1.Sum(pubPem)
	return out, hex.EncodeToString(sum[:]), nil
}
