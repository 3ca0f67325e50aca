package io.sfcache.salesforce;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * {@code sfcache.salesforce.cdc.*}: the Change Data Capture path, read straight from Salesforce's Pub/Sub API.
 */
public class CdcProperties {

    public enum Mode {
        /** Never subscribe. */
        OFF,
        /** Subscribe while the queue path is unhealthy, or when an operator says so (JMX). */
        FALLBACK,
        /** Always subscribe, beside the queue: sync is idempotent, so a change arriving twice is stored once. */
        BOTH
    }

    @NotNull
    private Mode mode = Mode.FALLBACK;

    /** FALLBACK: how long the queue path must be unhealthy (consumer paused, or no heartbeat) before CDC starts. */
    @NotNull
    private Duration fallbackAfter = Duration.ofMinutes(10);

    /** FALLBACK: how long the queue path must be healthy again before CDC stops. */
    @NotNull
    private Duration fallbackQuietPeriod = Duration.ofMinutes(10);

    /** How often the mode is re-evaluated. */
    @NotNull
    private Duration checkInterval = Duration.ofSeconds(30);

    /**
     * Reconciliation after a lost position (replay id rejected, or events skipped) reaches back this far before the
     * last change sfcache stored, to cover events in flight.
     */
    @NotNull
    private Duration reconcileOverlap = Duration.ofMinutes(5);

    /** Wait before subscribing again after a failure. */
    @NotNull
    private Duration resubscribeDelay = Duration.ofSeconds(5);

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public Duration getFallbackAfter() {
        return fallbackAfter;
    }

    public void setFallbackAfter(Duration fallbackAfter) {
        this.fallbackAfter = fallbackAfter;
    }

    public Duration getFallbackQuietPeriod() {
        return fallbackQuietPeriod;
    }

    public void setFallbackQuietPeriod(Duration fallbackQuietPeriod) {
        this.fallbackQuietPeriod = fallbackQuietPeriod;
    }

    public Duration getCheckInterval() {
        return checkInterval;
    }

    public void setCheckInterval(Duration checkInterval) {
        this.checkInterval = checkInterval;
    }

    public Duration getReconcileOverlap() {
        return reconcileOverlap;
    }

    public void setReconcileOverlap(Duration reconcileOverlap) {
        this.reconcileOverlap = reconcileOverlap;
    }

    public Duration getResubscribeDelay() {
        return resubscribeDelay;
    }

    public void setResubscribeDelay(Duration resubscribeDelay) {
        this.resubscribeDelay = resubscribeDelay;
    }
}
