package io.sfcache.standin.messaging;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.message.Message;

/** Encoding helpers for the wire details Azure adds on top of plain AMQP 1.0. */
final class AmqpCodec {

    /** Message format of a batched transfer: each Data section holds one encoded message. */
    static final int BATCH_MESSAGE_FORMAT = 0x80013700;

    private AmqpCodec() {}

    static byte[] encode(Message message) {
        int size = 4096;
        while (true) {
            byte[] buffer = new byte[size];
            try {
                int length = message.encode(buffer, 0, buffer.length);
                byte[] out = new byte[length];
                System.arraycopy(buffer, 0, out, 0, length);
                return out;
            } catch (BufferOverflowException tooSmall) {
                size *= 4;
            }
        }
    }

    static Message decode(byte[] bytes) {
        Message message = Proton.message();
        message.decode(bytes, 0, bytes.length);
        return message;
    }

    /** Decodes a transfer: a single message, or a batch (format 0x80013700) of Data-wrapped messages. */
    static List<Message> decodeTransfer(byte[] bytes, int messageFormat) {
        if (messageFormat != BATCH_MESSAGE_FORMAT) {
            return List.of(decode(bytes));
        }
        DecoderImpl decoder = new DecoderImpl();
        EncoderImpl encoder = new EncoderImpl(decoder);
        AMQPDefinedTypes.registerAllTypes(decoder, encoder);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        decoder.setByteBuffer(buffer);
        List<Message> messages = new ArrayList<>();
        while (buffer.hasRemaining()) {
            Object section = decoder.readObject();
            if (section instanceof Data data) {
                Binary binary = data.getValue();
                Message message = Proton.message();
                message.decode(binary.getArray(), binary.getArrayOffset(), binary.getLength());
                messages.add(message);
            }
        }
        return messages;
    }

    /** Service Bus delivery tags are lock tokens laid out as a .NET Guid (first three groups little-endian). */
    static byte[] lockTokenToDeliveryTag(UUID token) {
        ByteBuffer javaOrder = ByteBuffer.allocate(16)
                .putLong(token.getMostSignificantBits())
                .putLong(token.getLeastSignificantBits());
        byte[] b = javaOrder.array();
        return new byte[] {
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
            b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
        };
    }

    /** Copies a message so that per-delivery annotations never leak into the stored original. */
    static Message copy(Message message) {
        return decode(encode(message));
    }
}
