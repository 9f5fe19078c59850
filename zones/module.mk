# zones/: see STYLE.md for what this layer holds.
zones_SRCS := $(wildcard zones/*.c)
zones_OBJS := $(zones_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libzones.a: $(zones_OBJS)
ARCHIVES += $(BUILD)/libzones.a
DEPS += $(zones_OBJS:.o=.d)
