package io.sfcache;

import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up's report of {@link SettingsCheck}'s findings: each property, what is wrong, and how to fix it. */
public class InvalidSettingsFailureAnalyzer extends AbstractFailureAnalyzer<SettingsCheck.InvalidSettingsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SettingsCheck.InvalidSettingsException cause) {
        String problems = cause.problems().stream()
                .map(problem -> "    " + problem.replace("\n", "\n    "))
                .collect(Collectors.joining("\n\n"));
        return new FailureAnalysis(
                "sfcache settings are missing or wrong:\n\n" + problems + "\n",
                "Set or correct each property above (src/main/resources/application.yaml documents every sfcache.* "
                        + "setting).",
                cause);
    }
}
