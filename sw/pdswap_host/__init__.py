"""pdswap_host: software that plays the Zynq PS (bitstream tools, PCAP model, host driver)."""
