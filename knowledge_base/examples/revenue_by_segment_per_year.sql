-- Question: What is the revenue of each customer segment per year?
-- Description: Revenue by year and customer segment.
SELECT strftime('%Y', o.order_date) AS year,
       c.segment,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.customer_id
JOIN order_items AS oi ON oi.order_id = o.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY year, c.segment
ORDER BY year, revenue DESC;
