/**
 * Types of parse-prometheus-text-format 1.1.1 (the package ships none): the Prometheus text exposition parser the
 * operations server's metrics tests read `/metrics` with. Values stay strings, as the parser returns them.
 */
declare module 'parse-prometheus-text-format' {
  namespace parsePrometheusTextFormat {
    /** One sample of a counter, gauge or untyped metric. */
    interface Sample {
      readonly value: string;
      readonly labels?: Readonly<Record<string, string>>;
      readonly timestamp_ms?: string;
    }
    /** One histogram series: cumulative buckets by upper bound, count and sum. */
    interface HistogramSample {
      readonly buckets: Readonly<Record<string, string>>;
      readonly count: string;
      readonly sum: string;
      readonly labels?: Readonly<Record<string, string>>;
    }
    /** One summary series. */
    interface SummarySample {
      readonly quantiles: Readonly<Record<string, string>>;
      readonly count: string;
      readonly sum: string;
      readonly labels?: Readonly<Record<string, string>>;
    }
    /** One metric family as parsed. */
    interface MetricFamily {
      readonly name: string;
      readonly help: string;
      readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
      readonly metrics: ReadonlyArray<Sample | HistogramSample | SummarySample>;
    }
  }
  /** Parses Prometheus text format 0.0.4; throws on malformed input. */
  function parsePrometheusTextFormat(text: string): parsePrometheusTextFormat.MetricFamily[];
  export = parsePrometheusTextFormat;
}
