package io.sfcache.local;

import java.time.Duration;

/**
 * {@code sfcache.local.simulator.*}: the simulated Apex publisher of the local run. Defaults and meaning are in
 * src/test/resources/application-local.yaml.
 */
public class SimulatorProperties {

    private boolean enabled = true;
    private double ratePerSecond = 2;
    private double invalidRatio = 0.05;
    private double outOfOrderRatio = 0.05;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private int poolSize = 20;
    private Duration summaryInterval = Duration.ofSeconds(30);
    private Long seed;

    /** Refuses settings that would make the simulator meaningless, naming the property to fix. */
    void validate() {
        require(ratePerSecond > 0 && ratePerSecond <= 1000, "rate-per-second must be in (0, 1000]");
        require(
                invalidRatio >= 0 && outOfOrderRatio >= 0 && invalidRatio + outOfOrderRatio <= 0.5,
                "invalid-ratio and out-of-order-ratio must be >= 0 and add up to at most 0.5");
        require(poolSize > 0, "pool-size must be positive");
        require(
                !heartbeatInterval.isNegative()
                        && !heartbeatInterval.isZero()
                        && !summaryInterval.isNegative()
                        && !summaryInterval.isZero(),
                "heartbeat-interval and summary-interval must be positive");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("sfcache.local.simulator." + message);
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public double getRatePerSecond() {
        return ratePerSecond;
    }

    public void setRatePerSecond(double ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
    }

    public double getInvalidRatio() {
        return invalidRatio;
    }

    public void setInvalidRatio(double invalidRatio) {
        this.invalidRatio = invalidRatio;
    }

    public double getOutOfOrderRatio() {
        return outOfOrderRatio;
    }

    public void setOutOfOrderRatio(double outOfOrderRatio) {
        this.outOfOrderRatio = outOfOrderRatio;
    }

    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public int getPoolSize() {
        return poolSize;
    }

    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    public Duration getSummaryInterval() {
        return summaryInterval;
    }

    public void setSummaryInterval(Duration summaryInterval) {
        this.summaryInterval = summaryInterval;
    }

    public Long getSeed() {
        return seed;
    }

    public void setSeed(Long seed) {
        this.seed = seed;
    }
}
