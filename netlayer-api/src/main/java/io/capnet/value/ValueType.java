package io.capnet.value;

/** The OCapN type of a Java value, plus CapTP's Record and Capnet's Descriptor. */
public enum ValueType {
  UNDEFINED,
  NULL,
  BOOLEAN,
  INTEGER,
  FLOAT64,
  STRING,
  BYTE_ARRAY,
  SYMBOL,
  LIST,
  STRUCT,
  TAGGED,
  TARGET,
  PROMISE,
  ERROR,
  DESCRIPTOR,
  RECORD
}
