// psa-judge evaluates every pod template in Kubernetes YAML documents against a Pod Security
// Standards level with the upstream evaluator (k8s.io/pod-security-admission), the same code the
// API server's admission plugin runs. It prints one line per pod-bearing object and exits 1 when
// any of them is refused.
//
//	psa-judge [-level restricted|baseline] [-version latest|v1.36] FILE...   (or YAML on stdin)
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// podTemplate returns the pod metadata and spec of a pod-bearing kind, or nil for other kinds.
func podTemplate(kind string, doc []byte) (*metav1.ObjectMeta, *corev1.PodSpec, error) {
	var meta *metav1.ObjectMeta
	var spec *corev1.PodSpec
	var err error
	switch kind {
	case "Pod":
		var o corev1.Pod
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.ObjectMeta, &o.Spec
	case "Deployment":
		var o appsv1.Deployment
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case "StatefulSet":
		var o appsv1.StatefulSet
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case "DaemonSet":
		var o appsv1.DaemonSet
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case "Job":
		var o batchv1.Job
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec
	case "CronJob":
		var o batchv1.CronJob
		err, meta, spec = yaml.Unmarshal(doc, &o), &o.Spec.JobTemplate.Spec.Template.ObjectMeta, &o.Spec.JobTemplate.Spec.Template.Spec
	}
	return meta, spec, err
}

func judge(name string, in io.Reader, evaluator policy.Evaluator, level api.LevelVersion) (judged, refused int, err error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return judged, refused, nil
		}
		if err != nil {
			return judged, refused, fmt.Errorf("%s: %w", name, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var head struct {
			Kind     string            `json:"kind"`
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return judged, refused, fmt.Errorf("%s: %w", name, err)
		}
		meta, spec, err := podTemplate(head.Kind, doc)
		if err != nil {
			return judged, refused, fmt.Errorf("%s: %s/%s: %w", name, head.Kind, head.Metadata.Name, err)
		}
		if spec == nil {
			continue
		}
		judged++
		var problems []string
		for _, result := range evaluator.EvaluatePod(level, meta, spec) {
			if !result.Allowed {
				problems = append(problems, result.ForbiddenReason+": "+result.ForbiddenDetail)
			}
		}
		if len(problems) == 0 {
			fmt.Printf("OK      %s/%s\n", head.Kind, head.Metadata.Name)
			continue
		}
		refused++
		fmt.Printf("REFUSED %s/%s\n", head.Kind, head.Metadata.Name)
		for _, p := range problems {
			fmt.Printf("        %s\n", p)
		}
	}
}

func main() {
	levelName := flag.String("level", "restricted", "Pod Security level: baseline or restricted")
	versionName := flag.String("version", "latest", "policy version: latest or v1.N")
	flag.Parse()
	level, err := api.ParseLevel(*levelName)
	if err != nil {
		fail(err)
	}
	version, err := api.ParseVersion(*versionName)
	if err != nil {
		fail(err)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fail(err)
	}
	lv := api.LevelVersion{Level: level, Version: version}
	inputs := flag.Args()
	judged, refused := 0, 0
	if len(inputs) == 0 {
		j, r, err := judge("stdin", os.Stdin, evaluator, lv)
		if err != nil {
			fail(err)
		}
		judged, refused = j, r
	}
	for _, file := range inputs {
		f, err := os.Open(file)
		if err != nil {
			fail(err)
		}
		j, r, err := judge(file, f, evaluator, lv)
		f.Close()
		if err != nil {
			fail(err)
		}
		judged, refused = judged+j, refused+r
	}
	fmt.Printf("%d pod templates judged at %s, %d refused\n", judged, lv.String(), refused)
	if refused > 0 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "psa-judge:", err)
	os.Exit(2)
}
