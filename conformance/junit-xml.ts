/**
 * The run as JUnit XML in the shape CI systems read (GitHub, GitLab, Jenkins, Azure): `<testsuites>` holding one
 * `<testsuite>` per layer and one `<testcase>` per check, `<failure message=…>` with the request/reply excerpt as
 * its text and `<skipped message=…>` for skipped checks. Text from the target (bodies, headers) may hold anything:
 * it is escaped, and characters XML 1.0 cannot carry are replaced, so the file always parses as UTF-8.
 */
import { LAYERS, type CheckResult, type RunReport } from "./run-report.ts";

// XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text made safe for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML_CHAR, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const attr = (value: string) => xmlEscape(value).replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");

function testcase(check: CheckResult, classPrefix: string): string {
  const className = attr(`${classPrefix}.${check.subject}`);
  const open = `    <testcase classname="${className}" name="${attr(check.name)}" time="${seconds(check.ms)}"`;
  if (check.status === "passed") return `${open}/>`;
  if (check.status === "skipped")
    return `${open}>\n      <skipped message="${attr(check.message ?? "skipped")}"/>\n    </testcase>`;
  const message = attr(check.message ?? "failed");
  const details = xmlEscape(check.details ?? check.message ?? "");
  const failure = `<failure message="${message}" type="ConformanceFailure">${details}</failure>`;
  return `${open}>\n      ${failure}\n    </testcase>`;
}

/** The report as a JUnit XML document; `properties` (target, seed, ...) go on every suite. */
export function junitXml(report: RunReport, properties: Record<string, string | number | boolean>): string {
  const all = report.counts();
  const timestamp = report.startedAt.toISOString();
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="meta-media-openapi conformance" tests="${all.tests}" failures="${all.failed}" errors="0" ` +
      `skipped="${all.skipped}" time="${seconds(all.ms)}" timestamp="${timestamp}">`,
  ];
  const props = Object.entries(properties)
    .map(([name, value]) => `      <property name="${attr(name)}" value="${attr(String(value))}"/>`)
    .join("\n");
  for (const layer of LAYERS) {
    const checks = report.checks.filter((c) => c.layer === layer);
    const n = report.counts(layer);
    lines.push(
      `  <testsuite name="${attr(layer)}" tests="${n.tests}" failures="${n.failed}" errors="0" ` +
        `skipped="${n.skipped}" time="${seconds(n.ms)}" timestamp="${timestamp}">`,
    );
    if (props) lines.push(`    <properties>\n${props}\n    </properties>`);
    const classPrefix = `conformance.${layer.replace(/ /g, "-")}`;
    for (const check of checks) lines.push(testcase(check, classPrefix));
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`, "");
  return lines.join("\n");
}
