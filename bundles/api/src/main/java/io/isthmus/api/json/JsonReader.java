package io.isthmus.api.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads a whole JSON value and keeps every {@link JsonValueException} instead of stopping at the first, so that one
 * pass reports all the errors of a document (an operator fixes it in one round trip). Each read gives the value, or
 * empty when it was unusable and its error recorded. The messages are those of the {@link JsonValue} getters.
 *
 * <p>One reader per reading, on one thread: it is a mutable list of errors.
 */
@ProviderType
public final class JsonReader {
    private final List<JsonValueException> errors = new ArrayList<>();

    /** Runs one read of the throwing kind; its error is recorded. */
    public <T> Optional<T> read(Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (JsonValueException e) {
            errors.add(e);
            return Optional.empty();
        }
    }

    /** {@code getter} applied to {@code at}, e.g. {@code in.read(at, JsonValue::bool)}. */
    public <T> Optional<T> read(JsonValue at, Function<JsonValue, T> getter) {
        return read(() -> getter.apply(at));
    }

    public void error(String pointer, String reason) {
        errors.add(new JsonValueException(pointer, reason));
    }

    public void error(JsonValueException e) {
        errors.add(e);
    }

    /** Records an error at {@code at} and yields nothing, for reads that found the value unusable. */
    public <T> Optional<T> fail(JsonValue at, String reason) {
        errors.add(at.error(reason));
        return Optional.empty();
    }

    /** Every error so far, in the order found. */
    public List<JsonValueException> errors() {
        return List.copyOf(errors);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** How many errors so far: a reader of a part compares before and after to know whether the part was sound. */
    public int errorCount() {
        return errors.size();
    }

    public Optional<JsonValue> object(JsonValue at) {
        return read(at, JsonValue::object);
    }

    /** An object; each member not among {@code keys} is an error of its own (the object is still read). */
    public Optional<JsonValue> object(JsonValue at, Collection<String> keys) {
        Optional<JsonValue> object = object(at);
        object.ifPresent(o -> errors.addAll(o.unknownKeys(keys)));
        return object;
    }

    /** A member that must be present; when it is missing the error names the enclosing object. */
    public Optional<JsonValue> required(JsonValue object, String key, String expected) {
        return read(() -> object.required(key, expected));
    }

    /** The elements of an array, each read by {@code element}; elements that fail are left out. */
    public <T> Optional<List<T>> list(JsonValue at, Function<JsonValue, Optional<T>> element) {
        return read(at, JsonValue::array).map(elements -> {
            List<T> out = new ArrayList<>();
            elements.forEach(e -> element.apply(e).ifPresent(out::add));
            return out;
        });
    }

    /** Like {@link #list} for an optional member: absent means an empty list. */
    public <T> List<T> optionalList(JsonValue object, String key, Function<JsonValue, Optional<T>> element) {
        return object.get(key).flatMap(at -> list(at, element)).orElse(List.of());
    }

    public Optional<String> string(JsonValue at) {
        return read(at, JsonValue::string);
    }

    public Optional<String> nonEmptyString(JsonValue at) {
        return read(at, JsonValue::nonEmptyString);
    }

    public Optional<String> matching(JsonValue at, Pattern pattern, String expected) {
        return read(() -> at.string(pattern, expected));
    }

    public Optional<String> oneOf(JsonValue at, String what, List<String> allowed) {
        return read(() -> at.oneOf(what, allowed));
    }

    public Optional<Integer> integer(JsonValue at, int min, int max) {
        return read(() -> at.intValue(min, max));
    }

    /** An integer in min..max; {@code why} explains a bound that comes from another field. */
    public Optional<Integer> integer(JsonValue at, int min, int max, String why) {
        return read(() -> (int) at.integer(min, max, why));
    }

    public Optional<Boolean> bool(JsonValue at) {
        return read(at, JsonValue::bool);
    }
}
