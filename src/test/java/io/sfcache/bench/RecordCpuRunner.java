package io.sfcache.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs {@link RecordCpuBenchmark} with JMH (one fork, its annotations' warm-up and iterations). */
final class RecordCpuRunner {

    /** @param median median of the measurement iterations, µs per operation; @param error JMH's 99.9% error */
    record Result(String benchmark, double median, double mean, double error, int iterations) {}

    private RecordCpuRunner() {}

    static List<Result> run() throws Exception {
        Collection<RunResult> runs = new Runner(new OptionsBuilder()
                        .include(RecordCpuBenchmark.class.getSimpleName())
                        .build())
                .run();
        List<Result> results = new ArrayList<>();
        for (RunResult run : runs) {
            var primary = run.getPrimaryResult();
            var statistics = primary.getStatistics();
            String name = run.getParams().getBenchmark();
            results.add(new Result(
                    name.substring(name.lastIndexOf('.') + 1),
                    statistics.getPercentile(50),
                    statistics.getMean(),
                    primary.getScoreError(),
                    (int) statistics.getN()));
        }
        return results;
    }
}
