package io.sfcache.standin.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.BaseHandler;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.message.Message;
import org.apache.qpid.proton.reactor.Acceptor;
import org.apache.qpid.proton.reactor.Reactor;
import org.apache.qpid.proton.reactor.impl.AcceptorImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local stand-in for Azure Service Bus and Event Hubs: an in-JVM AMQP 1.0 server (Qpid Proton-J reactor) that
 * the real Azure SDKs and Camel components talk to through a {@code UseDevelopmentEmulator=true} connection
 * string. One reactor thread owns all state; the test API below hops onto it.
 *
 * <p>Checked with the Java SDKs and Camel ({@code ServiceBusStandinTest}, {@code EventHubsStandinTest},
 * {@code CamelMessagingStandinTest}) and with Azure's JavaScript SDKs, clients sfcache does not use
 * ({@code io.sfcache.standin.conformance.MessagingConformanceTest}). Service Bus queues: send and batch send,
 * peek-lock and receive-and-delete, complete, abandon, defer, dead-letter with reason and description, the
 * dead-letter sub-queue, peek (active, locked and deferred messages), lock renewal and expiry, max delivery count.
 * Event Hubs: hub and partition properties, send to the hub, a partition or by partition key, and consumers on
 * {@code <hub>/ConsumerGroups/<group>/Partitions/<id>} from any position (earliest, latest, offset, sequence number,
 * enqueued time), with the broker annotations and, on request, last-enqueued runtime metrics.
 *
 * <p>Also Service Bus's HTTPS REST send API ({@link #rest()}), which the Apex publisher uses, checking SAS tokens.
 *
 * <p>Left out, each refused with an AMQP error rather than left hanging: sessions ({@code amqp:not-implemented}),
 * topic subscriptions ({@code amqp:not-found}; a send to a topic's name just makes a queue), transactions ({@code amqp:not-found}, no coordinator),
 * scheduled messages and receiving deferred messages by sequence number (management status 501). Left out
 * silently: time-to-live (messages never expire), auto-forward, duplicate detection, idempotent publishing and
 * exclusive (epoch) Event Hubs receivers, consumer groups (any name reads the whole partition; none needs creating,
 * nor do queues and hubs, created on first use), the 5-readers-per-partition quota, offsets other than sequence
 * numbers, AMQP over WebSockets, and AMQP authorisation (every put-token is accepted).
 */
public final class AzureMessagingStandin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AzureMessagingStandin.class);
    private static final int TICK_MILLIS = 50;
    /** The shared access key of every connection string (and of the REST endpoint's SAS check). */
    public static final String KEY_NAME = "RootManageSharedAccessKey";

    public static final String KEY = "c3RhbmQtaW4ta2V5";
    private static volatile AzureMessagingStandin shared;

    /**
     * @param lockDuration     peek-lock duration of new queues (Service Bus default: 30 s... 1 min)
     * @param maxDeliveryCount deliveries before Service Bus moves a message to the dead-letter sub-queue
     * @param partitionCount   partitions of each Event Hub
     * @param maxMessageSize   largest message accepted, in bytes (advertised on every link)
     */
    public record Options(Duration lockDuration, int maxDeliveryCount, int partitionCount, long maxMessageSize) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(30), 10, 4, 4L * 1024 * 1024);
        }

        public Options withLockDuration(Duration duration) {
            return new Options(duration, maxDeliveryCount, partitionCount, maxMessageSize);
        }

        public Options withMaxDeliveryCount(int count) {
            return new Options(lockDuration, count, partitionCount, maxMessageSize);
        }
    }

    private final Reactor reactor;
    private final AmqpBroker broker;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final Acceptor serviceBusAcceptor;
    private final Acceptor eventHubsAcceptor;
    private final int serviceBusPort;
    private final int eventHubsPort;
    private volatile boolean stopping;
    private final Options options;
    private ServiceBusRestEndpoint rest;

    private AzureMessagingStandin(Options options) throws IOException {
        this.options = options;
        broker = new AmqpBroker(Instant::now, options);
        reactor = Proton.reactor(new ReactorHandler());
        // Proton's default timeout (0) makes every select non-blocking: the loop span a whole core while idle, half
        // of a 2-core machine. Network events, timers and wakeup() (test-API calls) still end the wait at once.
        reactor.setTimeout(TICK_MILLIS);
        serviceBusAcceptor = reactor.acceptor("127.0.0.1", 0, broker.handlerFor(AmqpBroker.Namespace.SERVICE_BUS));
        eventHubsAcceptor = reactor.acceptor("127.0.0.1", 0, broker.handlerFor(AmqpBroker.Namespace.EVENT_HUBS));
        serviceBusPort = ((AcceptorImpl) serviceBusAcceptor).getPortNumber();
        eventHubsPort = ((AcceptorImpl) eventHubsAcceptor).getPortNumber();
        CountDownLatch started = new CountDownLatch(1);
        thread = new Thread(() -> run(started), "azure-messaging-standin");
        thread.setDaemon(true);
        thread.start();
        try {
            started.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static AzureMessagingStandin start() {
        return start(Options.defaults());
    }

    public static AzureMessagingStandin start(Options options) {
        try {
            AzureMessagingStandin standin = new AzureMessagingStandin(options);
            LOG.info(
                    "Azure messaging stand-in: Service Bus on 127.0.0.1:{}, Event Hubs on 127.0.0.1:{}",
                    standin.serviceBusPort,
                    standin.eventHubsPort);
            return standin;
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the stand-in's loopback ports", e);
        }
    }

    /** One instance per JVM, shared by test classes and stopped at JVM exit. */
    public static synchronized AzureMessagingStandin shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "azure-messaging-standin-stop"));
        }
        return shared;
    }

    private void run(CountDownLatch started) {
        reactor.start();
        started.countDown();
        try {
            while (reactor.process()) {
                if (stopping) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Azure messaging stand-in reactor failed", e);
        } finally {
            reactor.stop();
            reactor.process();
            reactor.free();
        }
    }

    /** Drains test-API calls and ticks the broker; both on the reactor thread. */
    private final class ReactorHandler extends BaseHandler {
        @Override
        public void onReactorInit(Event event) {
            event.getReactor().schedule(TICK_MILLIS, this);
        }

        @Override
        public void onTimerTask(Event event) {
            broker.tick();
            if (!stopping) {
                event.getReactor().schedule(TICK_MILLIS, this);
            }
        }

        @Override
        public void onReactorQuiesced(Event event) {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }

    private <T> T call(Callable<T> action) {
        if (Thread.currentThread() == thread) {
            try {
                return action.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(action.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        reactor.wakeup();
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("stand-in call failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("stand-in reactor did not answer within 10 s", e);
        }
    }

    private void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    // --- connection details ---

    public int serviceBusPort() {
        return serviceBusPort;
    }

    public int eventHubsPort() {
        return eventHubsPort;
    }

    public String serviceBusConnectionString() {
        return connectionString(serviceBusPort, null);
    }

    /** Namespace-level connection string; Event Hubs clients then need the hub name separately. */
    public String eventHubsConnectionString() {
        return connectionString(eventHubsPort, null);
    }

    public String eventHubsConnectionString(String hub) {
        return connectionString(eventHubsPort, hub);
    }

    private static String connectionString(int port, String entityPath) {
        return "Endpoint=sb://127.0.0.1:" + port + ";SharedAccessKeyName=" + KEY_NAME + ";SharedAccessKey=" + KEY
                + ";UseDevelopmentEmulator=true;" + (entityPath == null ? "" : "EntityPath=" + entityPath + ";");
    }

    // --- the REST send API (ServiceBusRestEndpoint) ---

    /**
     * The namespace's HTTPS REST send endpoint, started on first use and stopped with the stand-in. It checks SAS
     * tokens against the key of the connection strings ({@link #KEY_NAME}, {@link #KEY}).
     */
    public synchronized ServiceBusRestEndpoint rest() {
        if (rest == null) {
            rest = new ServiceBusRestEndpoint(this, KEY_NAME, KEY, options.maxMessageSize(), Clock.systemUTC());
        }
        return rest;
    }

    /** Creates a queue as an administrator would in Azure; senders over REST get 410 for queues that do not exist. */
    public void declareQueue(String name) {
        run(() -> broker.queue(name));
    }

    /** Stores messages sent over REST; false (nothing stored) when the queue does not exist. */
    boolean enqueueIfExists(String queue, List<Message> messages) {
        return call(() -> {
            ServiceBusQueue target = broker.queues.get(queue);
            if (target == null) {
                return false;
            }
            messages.forEach(target::enqueue);
            target.dispatch();
            return true;
        });
    }

    // --- what tests read ---

    public QueueSnapshot queue(String name) {
        return call(() -> broker.queue(name).snapshot());
    }

    public List<MessageView> events(String hub) {
        return call(() -> broker.hub(hub).events());
    }

    /** How many settlements of each kind a queue saw; unlike {@link #queue} it copies no message (benchmarks poll it). */
    public Map<QueueOutcome, Integer> outcomes(String queue) {
        return call(() -> broker.queue(queue).outcomes());
    }

    /** How many events a hub holds, without copying them. */
    public int eventCount(String hub) {
        return call(() -> broker.hub(hub).eventCount());
    }

    /** Lock duration and max delivery count of one queue (created if needed), like the queue's properties in Azure. */
    public void configureQueue(String name, Duration lockDuration, int maxDeliveryCount) {
        run(() -> {
            ServiceBusQueue queue = broker.queue(name);
            queue.lockDuration = lockDuration;
            queue.maxDeliveryCount = maxDeliveryCount;
        });
    }

    // --- faults ---

    /** While on, new connections are opened then closed at once with {@code amqp:connection:forced}. */
    public void refuseConnections(boolean refuse) {
        run(() -> broker.refuseConnections = refuse);
    }

    /** Closes every open connection with {@code amqp:connection:forced}; clients reconnect. */
    public void dropConnections() {
        run(broker::dropConnections);
    }

    /**
     * Makes one queue or hub unavailable (links closed, new ones refused with {@code com.microsoft:server-busy})
     * while the rest of the namespace keeps working; {@code false} ends it.
     */
    public void block(String entity, boolean blocked) {
        run(() -> broker.setBlocked(entity, blocked));
    }

    /**
     * The receivers attached to the queue now stay attached and keep their credit, but nothing more is delivered to
     * them: a consumer stuck without any error. Links attached later (a restarted consumer) are served again.
     */
    public void silenceReceivers(String queue) {
        run(() -> broker.queue(queue).silenceConsumers());
    }

    /** Detaches every link to the queue or hub with {@code amqp:link:detach-forced}. */
    public void dropLinks(String entity) {
        run(() -> broker.dropLinks(entity));
    }

    /**
     * While stalled, the broker accepts frames but answers nothing: sends stay unsettled, management requests
     * unanswered and no message is delivered. Ending the stall processes what was held, in order.
     */
    public void stall(boolean stall) {
        run(() -> broker.setStalled(stall));
    }

    /**
     * Event Hubs alone hangs like {@link #stall}: connections and links open, sends and management requests are
     * never answered, while Service Bus keeps working. Ending it processes what was held, in order.
     */
    public void stallEventHubs(boolean stall) {
        run(() -> broker.setStalled(AmqpBroker.Namespace.EVENT_HUBS, stall));
    }

    @Override
    public void close() {
        if (stopping || !thread.isAlive()) {
            return;
        }
        synchronized (this) {
            if (rest != null) {
                rest.close();
            }
        }
        try {
            run(() -> {
                serviceBusAcceptor.close();
                eventHubsAcceptor.close();
                broker.dropConnections();
            });
        } catch (IllegalStateException ignored) {
            // reactor already gone
        }
        stopping = true;
        reactor.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
