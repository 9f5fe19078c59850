# signer/: see STYLE.md for what this layer holds.
signer_SRCS := $(wildcard signer/*.c)
signer_OBJS := $(signer_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libsigner.a: $(signer_OBJS)
ARCHIVES += $(BUILD)/libsigner.a
DEPS += $(signer_OBJS:.o=.d)
