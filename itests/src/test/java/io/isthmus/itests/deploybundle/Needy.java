package io.isthmus.itests.deploybundle;

/** A DS component (declared in the test bundle's XML) with a mandatory reference to {@link Nobody}. */
public class Needy {
}
