package io.sfcache.standin.messaging;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.BaseHandler;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP 1.0 side of the stand-in: answers what the Azure SDKs ask of Service Bus and Event Hubs
 * (CBS put-token, management nodes, peek-lock deliveries, batched transfers). Every method runs on the
 * reactor thread, so broker state needs no locking.
 */
final class AmqpBroker {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpBroker.class);

    static final String DEAD_LETTER_SUFFIX = "/$deadletterqueue";
    private static final String MANAGEMENT_SUFFIX = "$management";
    private static final String CBS = "$cbs";
    private static final int LINK_CREDIT = 500;
    private static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
    private static final Symbol NOT_IMPLEMENTED = Symbol.valueOf("amqp:not-implemented");
    private static final Symbol CONNECTION_FORCED = Symbol.valueOf("amqp:connection:forced");
    private static final Symbol DETACH_FORCED = Symbol.valueOf("amqp:link:detach-forced");
    private static final Symbol MESSAGE_SIZE_EXCEEDED = Symbol.valueOf("amqp:link:message-size-exceeded");
    private static final Symbol ARGUMENT_OUT_OF_RANGE = Symbol.valueOf("com.microsoft:argument-out-of-range");
    private static final Symbol RUNTIME_METRIC = Symbol.valueOf("com.microsoft:enable-receiver-runtime-metric");
    private static final Symbol SESSION_FILTER = Symbol.valueOf("com.microsoft:session-filter");
    /** What Azure answers when an entity cannot serve for now; the SDKs treat it as transient. */
    static final Symbol SERVER_BUSY = Symbol.valueOf("com.microsoft:server-busy");

    enum Namespace {
        SERVICE_BUS,
        EVENT_HUBS
    }

    /** What a link is for; kept as the link's context. */
    private enum Role {
        CBS_REQUESTS,
        MANAGEMENT_REQUESTS,
        REPLIES,
        QUEUE_SEND,
        QUEUE_RECEIVE,
        HUB_SEND,
        HUB_RECEIVE
    }

    private static final class LinkContext {
        final Role role;
        final String entity;
        final String partition;
        final boolean deadLetterQueue;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        /** Set on Event Hubs receiving links. */
        EventHub.Reader reader;

        LinkContext(Role role, String entity, String partition, boolean deadLetterQueue) {
            this.role = role;
            this.entity = entity;
            this.partition = partition;
            this.deadLetterQueue = deadLetterQueue;
        }
    }

    private static final class ConnectionContext {
        final Namespace namespace;
        final Map<String, Sender> replyLinks = new HashMap<>();
        final Set<Link> links = new LinkedHashSet<>();

        ConnectionContext(Namespace namespace) {
            this.namespace = namespace;
        }
    }

    final Map<String, ServiceBusQueue> queues = new HashMap<>();
    final Map<String, EventHub> hubs = new HashMap<>();
    private final Set<Connection> connections = new LinkedHashSet<>();
    /** Incoming transfers held while their namespace (or the whole broker) is stalled, in arrival order. */
    private final List<Map.Entry<Namespace, Runnable>> heldWhileStalled = new ArrayList<>();

    private final Supplier<Instant> clock;
    private final AzureMessagingStandin.Options options;
    boolean refuseConnections;
    private boolean stalled;
    private final Set<Namespace> stalledNamespaces = java.util.EnumSet.noneOf(Namespace.class);
    private final Set<String> blockedEntities = new java.util.HashSet<>();

    AmqpBroker(Supplier<Instant> clock, AzureMessagingStandin.Options options) {
        this.clock = clock;
        this.options = options;
    }

    BaseHandler handlerFor(Namespace namespace) {
        return new NamespaceHandler(namespace);
    }

    ServiceBusQueue queue(String name) {
        return queues.computeIfAbsent(
                name, n -> new ServiceBusQueue(n, clock, options.lockDuration(), options.maxDeliveryCount()));
    }

    EventHub hub(String name) {
        return hubs.computeIfAbsent(name, n -> new EventHub(n, options.partitionCount(), clock));
    }

    /** Periodic work: expire locks and deliver what they released. */
    void tick() {
        queues.values().forEach(ServiceBusQueue::expireLocks);
        dispatchAll();
    }

    private void dispatchAll() {
        if (!stalled) {
            queues.values().forEach(ServiceBusQueue::dispatch);
            hubs.values().forEach(hub -> hub.partitions.forEach(EventHub.Partition::pump));
        }
    }

    // --- faults ---

    void setStalled(boolean stall) {
        stalled = stall;
        if (!stall) {
            releaseHeld();
            dispatchAll();
        }
    }

    /** Like {@link #setStalled} for one namespace: the other keeps working. */
    void setStalled(Namespace namespace, boolean stall) {
        if (stall) {
            stalledNamespaces.add(namespace);
        } else {
            stalledNamespaces.remove(namespace);
            releaseHeld();
        }
    }

    private boolean isStalled(Namespace namespace) {
        return stalled || stalledNamespaces.contains(namespace);
    }

    private void releaseHeld() {
        List<Map.Entry<Namespace, Runnable>> released = heldWhileStalled.stream()
                .filter(held -> !isStalled(held.getKey()))
                .toList();
        heldWhileStalled.removeAll(released);
        released.forEach(held -> held.getValue().run());
    }

    void dropConnections() {
        for (Connection connection : new ArrayList<>(connections)) {
            connection.setCondition(new ErrorCondition(CONNECTION_FORCED, "stand-in fault: connection dropped"));
            connection.close();
        }
    }

    void dropLinks(String entity) {
        detachAll(entity, DETACH_FORCED, "stand-in fault: link dropped");
    }

    private void detachAll(String entity, Symbol condition, String description) {
        for (Connection connection : connections) {
            for (Link link : new ArrayList<>(context(connection).links)) {
                LinkContext lc = (LinkContext) link.getContext();
                if (lc != null && entity.equals(lc.entity) && link.getLocalState() == EndpointState.ACTIVE) {
                    link.setCondition(new ErrorCondition(condition, description));
                    forget(link);
                    link.close();
                }
            }
        }
    }

    /** While blocked, links to the entity are closed and new ones refused as server-busy; others work on. */
    void setBlocked(String entity, boolean blocked) {
        if (blocked) {
            blockedEntities.add(entity);
            detachAll(entity, SERVER_BUSY, "stand-in fault: " + entity + " is unavailable");
        } else {
            blockedEntities.remove(entity);
        }
    }

    // --- protocol ---

    private static ConnectionContext context(Connection connection) {
        return (ConnectionContext) connection.getContext();
    }

    private final class NamespaceHandler extends BaseHandler {
        private final Namespace namespace;

        NamespaceHandler(Namespace namespace) {
            this.namespace = namespace;
        }

        @Override
        public void onConnectionInit(Event event) {
            event.getConnection().setContext(new ConnectionContext(namespace));
        }

        @Override
        public void onConnectionRemoteOpen(Event event) {
            Connection connection = event.getConnection();
            connection.setContainer("sfcache-standin");
            connection.open();
            if (refuseConnections) {
                connection.setCondition(new ErrorCondition(CONNECTION_FORCED, "stand-in fault: refusing connections"));
                connection.close();
                return;
            }
            connections.add(connection);
        }

        @Override
        public void onConnectionRemoteClose(Event event) {
            Connection connection = event.getConnection();
            forgetConnection(connection);
            connection.close();
        }

        /**
         * The peer's socket reached its end without an AMQP close: a client killed or cut off. Service Bus detaches
         * its links at once; proton would keep them until the transport's head closed too (seen when the dead
         * client's socket was reset, with deliveries it never read), so a dead consumer kept its credit and was sent
         * messages that then waited out their locks.
         */
        @Override
        public void onTransportTailClosed(Event event) {
            Connection connection = event.getConnection();
            if (connection == null || connection.getRemoteState() == EndpointState.CLOSED) {
                // An orderly close: the peer sent its close frame first, and waits for ours before it goes.
                return;
            }
            forgetConnection(connection);
            event.getTransport().close_head();
        }

        @Override
        public void onTransportClosed(Event event) {
            Connection connection = event.getConnection();
            if (connection != null) {
                forgetConnection(connection);
            }
        }

        @Override
        public void onSessionRemoteOpen(Event event) {
            Session session = event.getSession();
            session.setIncomingCapacity(Integer.MAX_VALUE / 2);
            session.open();
        }

        @Override
        public void onSessionRemoteClose(Event event) {
            event.getSession().close();
        }

        @Override
        public void onLinkRemoteOpen(Event event) {
            openLink(event.getLink(), namespace);
        }

        @Override
        public void onLinkRemoteClose(Event event) {
            forget(event.getLink());
            event.getLink().close();
        }

        @Override
        public void onLinkRemoteDetach(Event event) {
            forget(event.getLink());
            event.getLink().detach();
        }

        @Override
        public void onLinkFlow(Event event) {
            if (event.getLink() instanceof Sender
                    && event.getLink().getContext() instanceof LinkContext lc
                    && !stalled) {
                if (lc.role == Role.QUEUE_RECEIVE) {
                    queue(lc.entity).dispatch();
                } else if (lc.reader != null) {
                    lc.reader.pump();
                }
            }
        }

        @Override
        public void onDelivery(Event event) {
            Delivery delivery = event.getDelivery();
            if (delivery.getLink() instanceof Receiver receiver) {
                onIncoming(receiver, delivery);
            } else {
                onSettlement(delivery);
            }
        }
    }

    private void forgetConnection(Connection connection) {
        connections.remove(connection);
        ConnectionContext cc = context(connection);
        if (cc != null) {
            new ArrayList<>(cc.links).forEach(this::forget);
        }
    }

    private void forget(Link link) {
        LOG.debug("Link {} detached", link.getName());
        ConnectionContext cc = context(link.getSession().getConnection());
        cc.links.remove(link);
        if (link.getContext() instanceof LinkContext lc) {
            if (lc.role == Role.QUEUE_RECEIVE) {
                // Locks survive the link, as in Service Bus: the messages come back when they expire.
                var sub = queue(lc.entity).subQueue(lc.deadLetterQueue);
                sub.consumers.remove(link);
                sub.silenced.remove(link);
            } else if (lc.role == Role.REPLIES) {
                cc.replyLinks.values().removeIf(l -> l == link);
            } else if (lc.reader != null) {
                hub(lc.entity).partition(lc.partition).readers.remove(lc.reader);
            }
        }
    }

    private void openLink(Link link, Namespace namespace) {
        link.setSource(link.getRemoteSource());
        link.setTarget(link.getRemoteTarget());
        link.setSenderSettleMode(link.getRemoteSenderSettleMode());
        link.setReceiverSettleMode(link.getRemoteReceiverSettleMode());
        link.setMaxMessageSize(UnsignedLong.valueOf(options.maxMessageSize()));
        ConnectionContext cc = context(link.getSession().getConnection());
        LinkContext lc;
        try {
            lc = classify(link, namespace);
        } catch (IllegalArgumentException unknown) {
            refuse(link, NOT_FOUND, unknown.getMessage());
            return;
        } catch (UnsupportedOperationException unsupported) {
            refuse(link, NOT_IMPLEMENTED, unsupported.getMessage());
            return;
        }
        if (blockedEntities.contains(lc.entity)) {
            refuse(link, SERVER_BUSY, "stand-in fault: " + lc.entity + " is unavailable");
            return;
        }
        EventHub.Partition partition = null;
        if (lc.partition != null) {
            // Checked here, not on the first transfer: an unknown partition used to throw on the reactor thread and
            // stop the whole stand-in. The condition and text are what Event Hubs answers (as far as we know).
            EventHub hub = hub(lc.entity);
            partition = hub.findPartition(lc.partition);
            if (partition == null) {
                refuse(
                        link,
                        ARGUMENT_OUT_OF_RANGE,
                        "The specified partition is invalid for an EventHub partition sender "
                                + "or receiver. It should be between 0 and " + (hub.partitions.size() - 1) + ".");
                return;
            }
        }
        if (lc.role == Role.HUB_RECEIVE) {
            try {
                long first = EventPositionFilter.firstSequenceNumber((Source) link.getRemoteSource(), partition);
                boolean metrics = link.getRemoteDesiredCapabilities() != null
                        && java.util.Arrays.asList(link.getRemoteDesiredCapabilities())
                                .contains(RUNTIME_METRIC);
                if (metrics) {
                    link.setOfferedCapabilities(new Symbol[] {RUNTIME_METRIC});
                }
                lc.reader = new EventHub.Reader(partition, (Sender) link, first, metrics, clock);
            } catch (EventPositionFilter.Refused refused) {
                refuse(link, refused.condition, refused.getMessage());
                return;
            }
        }
        link.setContext(lc);
        cc.links.add(link);
        LOG.debug("Link {} attached: {} {}", link.getName(), lc.role, lc.entity);
        link.open();
        if (link instanceof Receiver receiver) {
            receiver.flow(LINK_CREDIT);
        } else if (lc.role == Role.REPLIES) {
            // A request's reply-to names its reply link: by the link's target address (the Java SDKs) or by the link
            // name, the JS SDKs' CBS client sets no target at all (@azure/core-amqp src/cbs.ts: rxOpt name = replyTo).
            if (link.getRemoteTarget() instanceof Target target && target.getAddress() != null) {
                cc.replyLinks.put(target.getAddress(), (Sender) link);
            }
            cc.replyLinks.putIfAbsent(link.getName(), (Sender) link);
        } else if (lc.role == Role.QUEUE_RECEIVE) {
            queue(lc.entity).subQueue(lc.deadLetterQueue).consumers.add((Sender) link);
        } else if (lc.reader != null) {
            partition.readers.add(lc.reader);
        }
    }

    /**
     * Attaches and at once detaches with the error, as the service does for a link it will not serve. The attach
     * carries a null source (target for a sending client), AMQP 1.0's sign of a link that is not established
     * (part 2.6.3), so clients wait for the detach's error instead of taking the link as open.
     */
    private static void refuse(Link link, Symbol condition, String description) {
        LOG.warn("Refusing link {}: {}", link.getName(), description);
        if (link instanceof Sender) {
            link.setSource(null);
        } else {
            link.setTarget(null);
        }
        link.open();
        link.setCondition(new ErrorCondition(condition, description));
        link.close();
    }

    private static LinkContext classify(Link link, Namespace namespace) {
        boolean clientSends = link instanceof Receiver;
        String address = clientSends
                ? (link.getRemoteTarget() instanceof Target t ? t.getAddress() : null)
                : (link.getRemoteSource() instanceof Source s ? s.getAddress() : null);
        if (address == null) {
            throw new IllegalArgumentException("no address (transactions and dynamic nodes are not supported)");
        }
        if (address.equals(CBS)) {
            return new LinkContext(clientSends ? Role.CBS_REQUESTS : Role.REPLIES, CBS, null, false);
        }
        if (address.endsWith(MANAGEMENT_SUFFIX)) {
            String entity = address.equals(MANAGEMENT_SUFFIX)
                    ? ""
                    : address.substring(0, address.length() - MANAGEMENT_SUFFIX.length() - 1);
            return new LinkContext(clientSends ? Role.MANAGEMENT_REQUESTS : Role.REPLIES, entity, null, false);
        }
        if (namespace == Namespace.EVENT_HUBS) {
            String[] parts = address.split("/");
            if (!clientSends) {
                // <hub>/ConsumerGroups/<group>/Partitions/<id>: the only address Event Hubs reads from.
                if (parts.length == 5
                        && parts[1].equalsIgnoreCase("ConsumerGroups")
                        && parts[3].equalsIgnoreCase("Partitions")) {
                    return new LinkContext(Role.HUB_RECEIVE, parts[0], parts[4], false);
                }
                throw new IllegalArgumentException("unknown Event Hubs source " + address
                        + " (expected <hub>/ConsumerGroups/<group>/Partitions/<id>)");
            }
            if (parts.length == 1) {
                return new LinkContext(Role.HUB_SEND, parts[0], null, false);
            }
            if (parts.length == 3 && parts[1].equalsIgnoreCase("Partitions")) {
                return new LinkContext(Role.HUB_SEND, parts[0], parts[2], false);
            }
            throw new IllegalArgumentException("unknown Event Hubs address " + address);
        }
        if (!clientSends
                && link.getRemoteSource() instanceof Source source
                && source.getFilter() != null
                && source.getFilter().containsKey(SESSION_FILTER)) {
            // Refused rather than served as a plain receiver: the SDKs' session receivers expect session properties
            // on the attach and fail obscurely without them (@azure/service-bus: a TypeError on locked-until-utc).
            throw new UnsupportedOperationException("sessions are not supported by the stand-in: " + address);
        }
        boolean deadLetter = address.toLowerCase(java.util.Locale.ROOT).endsWith(DEAD_LETTER_SUFFIX);
        String queue = deadLetter ? address.substring(0, address.length() - DEAD_LETTER_SUFFIX.length()) : address;
        if (queue.contains("/")) {
            throw new IllegalArgumentException("unknown Service Bus address " + address);
        }
        if (clientSends && deadLetter) {
            throw new IllegalArgumentException("cannot send to a dead-letter queue: " + address);
        }
        return new LinkContext(clientSends ? Role.QUEUE_SEND : Role.QUEUE_RECEIVE, queue, null, deadLetter);
    }

    // --- incoming transfers ---

    private void onIncoming(Receiver receiver, Delivery delivery) {
        LinkContext lc = (LinkContext) receiver.getContext();
        if (lc == null || !delivery.isReadable()) {
            return;
        }
        byte[] chunk = new byte[Math.max(delivery.pending(), 1)];
        int read;
        while ((read = receiver.recv(chunk, 0, chunk.length)) > 0) {
            lc.partial.write(chunk, 0, read);
        }
        if (delivery.isPartial()) {
            return;
        }
        byte[] bytes = lc.partial.toByteArray();
        lc.partial.reset();
        int format = delivery.getMessageFormat();
        receiver.advance();
        if (receiver.getCredit() < LINK_CREDIT / 2) {
            receiver.flow(LINK_CREDIT - receiver.getCredit());
        }
        Runnable handle = () -> handleIncoming(receiver, lc, delivery, bytes, format);
        Namespace namespace = context(receiver.getSession().getConnection()).namespace;
        if (isStalled(namespace)) {
            heldWhileStalled.add(Map.entry(namespace, handle));
        } else {
            handle.run();
        }
    }

    private void handleIncoming(Receiver receiver, LinkContext lc, Delivery delivery, byte[] bytes, int format) {
        if (receiver.getLocalState() == EndpointState.CLOSED) {
            return;
        }
        if (bytes.length > options.maxMessageSize()) {
            Rejected rejected = new Rejected();
            rejected.setError(new ErrorCondition(
                    MESSAGE_SIZE_EXCEEDED,
                    "message of " + bytes.length + " bytes exceeds " + options.maxMessageSize()));
            settleIncoming(delivery, rejected);
            return;
        }
        List<Message> messages = AmqpCodec.decodeTransfer(bytes, format);
        Connection connection = receiver.getSession().getConnection();
        switch (lc.role) {
            case QUEUE_SEND -> {
                ServiceBusQueue queue = queue(lc.entity);
                messages.forEach(queue::enqueue);
                settleIncoming(delivery, Accepted.getInstance());
                queue.dispatch();
            }
            case HUB_SEND -> {
                EventHub hub = hub(lc.entity);
                Set<EventHub.Partition> appended = new LinkedHashSet<>();
                messages.forEach(m -> appended.add(hub.append(m, lc.partition)));
                settleIncoming(delivery, Accepted.getInstance());
                appended.forEach(EventHub.Partition::pump);
            }
            case CBS_REQUESTS -> {
                settleIncoming(delivery, Accepted.getInstance());
                messages.forEach(m -> reply(connection, m, 202, "Accepted", null, null));
            }
            case MANAGEMENT_REQUESTS -> {
                settleIncoming(delivery, Accepted.getInstance());
                messages.forEach(m -> manage(connection, lc.entity, m));
            }
            default -> settleIncoming(delivery, Accepted.getInstance());
        }
    }

    private static void settleIncoming(Delivery delivery, org.apache.qpid.proton.amqp.transport.DeliveryState state) {
        if (!delivery.remotelySettled()) {
            delivery.disposition(state);
        }
        delivery.settle();
    }

    // --- settlement of what we delivered ---

    private void onSettlement(Delivery delivery) {
        if (delivery.getContext() instanceof ServiceBusQueue.MessageLock lock
                && delivery.getRemoteState() != null
                && !delivery.isSettled()) {
            ServiceBusQueue queue = queue(lock.message.entity);
            var answer = queue.settle(lock, delivery.getRemoteState());
            if (!delivery.remotelySettled()) {
                delivery.disposition(answer);
            }
            delivery.settle();
            if (!stalled) {
                queue.dispatch();
            }
        } else if (!delivery.isSettled() && (delivery.remotelySettled() || delivery.getRemoteState() != null)) {
            // Events and replies: whatever the client answered ends the delivery (a receiver in settle-mode second
            // waits for our settlement).
            if (!delivery.remotelySettled()) {
                delivery.disposition(delivery.getRemoteState());
            }
            delivery.settle();
        }
    }

    // --- request/response nodes ---

    private void manage(Connection connection, String entity, Message request) {
        Map<?, ?> properties = request.getApplicationProperties() == null
                ? Map.of()
                : request.getApplicationProperties().getValue();
        String operation = String.valueOf(properties.get("operation"));
        Map<?, ?> body = request.getBody() instanceof AmqpValue v && v.getValue() instanceof Map<?, ?> m ? m : Map.of();
        Namespace namespace = context(connection).namespace;
        try {
            if (namespace == Namespace.EVENT_HUBS) {
                manageEventHub(connection, request, properties, operation);
            } else {
                manageQueue(connection, entity, request, operation, body);
            }
        } catch (RuntimeException e) {
            LOG.warn("Management operation {} on {} failed", operation, entity, e);
            reply(connection, request, 500, e.toString(), "com.microsoft:internal-error", null);
        }
    }

    private void manageEventHub(Connection connection, Message request, Map<?, ?> properties, String operation) {
        String type = String.valueOf(properties.get("type"));
        if (!"READ".equals(operation)) {
            reply(
                    connection,
                    request,
                    501,
                    "not implemented by the stand-in: " + operation,
                    NOT_IMPLEMENTED.toString(),
                    null);
            return;
        }
        EventHub hub = hub(String.valueOf(properties.get("name")));
        if (blockedEntities.contains(hub.name)) {
            reply(
                    connection,
                    request,
                    503,
                    "stand-in fault: " + hub.name + " is unavailable",
                    SERVER_BUSY.toString(),
                    null);
            return;
        }
        Map<String, Object> result = new HashMap<>();
        result.put("name", hub.name);
        if ("com.microsoft:eventhub".equals(type)) {
            result.put("created_at", Date.from(hub.createdAt));
            result.put("partition_count", hub.partitions.size());
            result.put("partition_ids", hub.partitions.stream().map(p -> p.id).toArray(String[]::new));
        } else {
            EventHub.Partition partition = hub.findPartition(String.valueOf(properties.get("partition")));
            if (partition == null) {
                reply(
                        connection,
                        request,
                        400,
                        "The specified partition is invalid: " + properties.get("partition"),
                        ARGUMENT_OUT_OF_RANGE.toString(),
                        null);
                return;
            }
            boolean empty = partition.events.isEmpty();
            result.put("partition", partition.id);
            result.put("begin_sequence_number", empty ? -1L : 0L);
            result.put("last_enqueued_sequence_number", partition.lastSequenceNumber());
            result.put("last_enqueued_offset", Long.toString(partition.lastSequenceNumber()));
            result.put(
                    "last_enqueued_time_utc",
                    empty ? new Date(0) : Date.from(partition.events.get(partition.events.size() - 1).enqueuedTime));
            result.put("runtime_info_retrieval_time_utc", Date.from(clock.get()));
            result.put("is_partition_empty", empty);
        }
        reply(connection, request, 200, "OK", null, result);
    }

    private void manageQueue(Connection connection, String entity, Message request, String operation, Map<?, ?> body) {
        boolean deadLetter = entity.toLowerCase(java.util.Locale.ROOT).endsWith(DEAD_LETTER_SUFFIX);
        ServiceBusQueue queue =
                queue(deadLetter ? entity.substring(0, entity.length() - DEAD_LETTER_SUFFIX.length()) : entity);
        switch (operation) {
            case "com.microsoft:renew-lock" -> {
                UUID[] tokens = (UUID[]) body.get("lock-tokens");
                List<Date> expirations = new ArrayList<>();
                for (UUID token : tokens) {
                    Instant until = queue.renewLock(token);
                    if (until == null) {
                        lockLost(connection, request, token);
                        return;
                    }
                    expirations.add(Date.from(until));
                }
                reply(connection, request, 200, "OK", null, Map.of("expirations", expirations.toArray(Date[]::new)));
            }
            case "com.microsoft:update-disposition" -> {
                UUID[] tokens = (UUID[]) body.get("lock-tokens");
                for (UUID token : tokens) {
                    if (!queue.settleByToken(
                            token,
                            String.valueOf(body.get("disposition-status")),
                            (String) body.get("deadletter-reason"),
                            (String) body.get("deadletter-description"))) {
                        lockLost(connection, request, token);
                        return;
                    }
                }
                reply(connection, request, 200, "OK", null, Map.of());
                dispatchAll();
            }
            case "com.microsoft:peek-message" -> {
                long from = ((Number) body.get("from-sequence-number")).longValue();
                int count = ((Number) body.get("message-count")).intValue();
                List<Map<String, Object>> messages = new ArrayList<>();
                for (StoredMessage stored : queue.peek(deadLetter, from, count)) {
                    Message copy = AmqpCodec.copy(stored.message);
                    Header header = new Header();
                    header.setDeliveryCount(UnsignedInteger.valueOf(stored.deliveryCount));
                    copy.setHeader(header);
                    Map<Symbol, Object> annotations = new HashMap<>();
                    annotations.put(Symbol.valueOf("x-opt-sequence-number"), stored.sequenceNumber);
                    annotations.put(Symbol.valueOf("x-opt-enqueued-time"), Date.from(stored.enqueuedTime));
                    if (queue.isDeferred(stored)) {
                        // x-opt-message-state 1 = deferred, an int (azure-messaging-servicebus
                        // ServiceBusReceivedMessage.getState, @azure/service-bus serviceBusMessage.ts).
                        annotations.put(Symbol.valueOf("x-opt-message-state"), 1);
                    }
                    copy.setMessageAnnotations(
                            new org.apache.qpid.proton.amqp.messaging.MessageAnnotations(annotations));
                    messages.add(Map.of("message", new Binary(AmqpCodec.encode(copy))));
                }
                if (messages.isEmpty()) {
                    reply(connection, request, 204, "No messages", null, Map.of());
                } else {
                    reply(connection, request, 200, "OK", null, Map.of("messages", messages));
                }
            }
            default ->
                reply(
                        connection,
                        request,
                        501,
                        "not implemented by the stand-in: " + operation,
                        NOT_IMPLEMENTED.toString(),
                        null);
        }
    }

    private void lockLost(Connection connection, Message request, UUID token) {
        reply(
                connection,
                request,
                410,
                "The lock supplied is invalid. Either the lock expired, or the message has "
                        + "already been removed from the queue. Lock token: " + token,
                ServiceBusQueue.LOCK_LOST.toString(),
                null);
    }

    private void reply(
            Connection connection,
            Message request,
            int status,
            String description,
            String errorCondition,
            Map<String, Object> body) {
        Sender link = context(connection).replyLinks.get(request.getReplyTo());
        if (link == null) {
            LOG.warn(
                    "No reply link for reply-to {}: dropping the answer to {}",
                    request.getReplyTo(),
                    request.getMessageId());
            return;
        }
        // Service Bus' management node answers with statusCode/statusDescription (learn.microsoft.com/en-us/azure/
        // service-bus-messaging/service-bus-amqp-request-response); CBS and Event Hubs with status-code/-description.
        // The Java SDKs read either; @azure/service-bus reads `statusCode` itself (peek: `statusCode !== 204`).
        boolean cbs = request.getApplicationProperties() != null
                && "put-token"
                        .equals(request.getApplicationProperties().getValue().get("operation"));
        boolean camelCase = !cbs && context(connection).namespace == Namespace.SERVICE_BUS;
        Map<String, Object> properties = new HashMap<>();
        properties.put(camelCase ? "statusCode" : "status-code", status);
        properties.put(camelCase ? "statusDescription" : "status-description", description);
        if (errorCondition != null) {
            properties.put(camelCase ? "errorCondition" : "error-condition", errorCondition);
        }
        Message response = Proton.message();
        response.setCorrelationId(request.getMessageId());
        response.setApplicationProperties(new ApplicationProperties(properties));
        response.setBody(new AmqpValue(body));
        byte[] bytes = AmqpCodec.encode(response);
        Delivery delivery = link.delivery(UUID.randomUUID().toString().getBytes());
        link.send(bytes, 0, bytes.length);
        link.advance();
        if (link.getSenderSettleMode() == SenderSettleMode.SETTLED) {
            delivery.settle();
        }
    }
}
