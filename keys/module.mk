# keys/: see STYLE.md for what this layer holds.
keys_SRCS := $(wildcard keys/*.c)
keys_OBJS := $(keys_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libkeys.a: $(keys_OBJS)
ARCHIVES += $(BUILD)/libkeys.a
DEPS += $(keys_OBJS:.o=.d)
