/** Token shards, window samplers and datasets (plain text, WikiText, Dolly) for training and CPO. */
package io.cpo4j.model.data;
